"""Demo and benchmark field logs: drawn to follow training, added once."""

from __future__ import annotations

import random
from datetime import date, timedelta

from sqlalchemy import func, select

from lms.fieldlog.demo import load_logs
from lms.fieldlog.models import Visit, visit_kinds
from lms.fieldlog.synthetic import draw_visits
from tests.fieldlog.helpers import build_world

TODAY = date(2026, 6, 30)


def test_certified_members_help_more_than_before_and_quiet_teams_stop():
    start, end = TODAY - timedelta(days=729), TODAY
    middle = TODAY - timedelta(days=365)
    visits = draw_visits(random.Random(5), start, end, 40, certified_on=middle)
    before = sum(v.day < middle for v in visits)
    after = len(visits) - before
    assert 1.5 < after / before < 2.7  # half the rate before the certificate
    assert all(start <= v.day <= end and v.kinds and 1 <= v.people <= 6 for v in visits)
    assert all(v.closed_on is None or v.closed_on > v.day for v in visits)
    quiet = draw_visits(random.Random(5), start, end, 40, None, quiet_from=middle)
    assert quiet and max(v.day for v in quiet) < middle


def test_the_demo_log_is_added_once(db, today_is):  # noqa: ANN001
    today_is(TODAY)
    build_world()
    added = load_logs(TODAY, random.Random(1))
    assert added == db.session.scalar(select(func.count()).select_from(Visit)) > 10
    assert db.session.scalar(select(func.count()).select_from(visit_kinds)) >= added
    assert db.session.scalar(select(func.max(Visit.visited_on))) <= TODAY
    assert load_logs(TODAY, random.Random(1)) == 0
