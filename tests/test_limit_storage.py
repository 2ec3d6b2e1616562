"""The rate limits' in-process counters (lms.extensions.ProcessMemoryStorage): counted like the
library's memory storage, without starting a thread on each counted request."""

from __future__ import annotations

import threading

import pytest
from flask import Flask

from lms.extensions import ProcessMemoryStorage, limiter


def test_the_app_counts_limits_in_this_storage_without_redis(app: Flask):
    assert isinstance(limiter.storage, ProcessMemoryStorage)


def test_counting_starts_no_thread(monkeypatch: pytest.MonkeyPatch):
    storage = ProcessMemoryStorage()

    def no_timer(*args: object, **kwargs: object) -> None:
        raise AssertionError("a thread was started to count a request")

    monkeypatch.setattr(threading, "Timer", no_timer)
    for _ in range(3):
        storage.incr("person:1", expiry=60)
    assert storage.get("person:1") == 3
    assert storage.acquire_entry("window", limit=2, expiry=60)
    assert storage.acquire_entry("window", limit=2, expiry=60)
    assert not storage.acquire_entry("window", limit=2, expiry=60)


def test_an_expired_counter_reads_zero_and_is_swept_later():
    storage = ProcessMemoryStorage()
    storage.incr("person:1", expiry=0)  # expires at once
    storage.incr("person:2", expiry=60)
    assert storage.get("person:1") == 0
    storage.incr("person:3", expiry=0)
    storage._swept_at -= ProcessMemoryStorage.SWEEP_EVERY  # the next count sweeps
    storage.incr("person:2", expiry=60)
    assert "person:3" not in storage.storage and storage.get("person:2") == 2
