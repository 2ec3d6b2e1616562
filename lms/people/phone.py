"""Vietnamese mobile numbers: one canonical form per person."""

from __future__ import annotations

import re

_SEPARATORS = re.compile(r"[\s.\-()]")
# 10 digits after the leading 0; mobile networks use prefixes 03, 05, 07, 08 and 09.
# [0-9], not \d, which also matches other scripts' digits such as "١".
_MOBILE = re.compile(r"^0[35789][0-9]{8}$")


class InvalidPhone(ValueError):
    """The text is not a Vietnamese mobile number."""


def normalise_phone(text: str) -> str:
    """Return `0912345678` for `0912 345 678`, `+84912345678` or `84912345678`."""
    digits = _SEPARATORS.sub("", text or "")
    if digits.startswith("+84"):
        digits = "0" + digits[3:]
    elif digits.startswith("84") and len(digits) == 11:
        digits = "0" + digits[2:]
    if not _MOBILE.match(digits):
        raise InvalidPhone(text)
    return digits


def format_phone(phone: str) -> str:
    """Group a canonical number for reading aloud: `0912 345 678`."""
    if len(phone) == 10:
        return f"{phone[:4]} {phone[4:7]} {phone[7:]}"
    return phone
