"""Filters and globals shared by every template."""

from __future__ import annotations

from datetime import date

from flask import Flask
from flask_babel import get_locale

from lms.people.ages import age_on
from lms.people.forms import ROLE_LABELS, UNIT_KIND_LABELS
from lms.people.models import Role
from lms.people.phone import format_phone


def role_label(role: Role | str) -> str:
    """The translated name of a role."""
    return str(ROLE_LABELS[Role(role)])


def unit_kind_label(kind: str) -> str:
    """The translated name of a unit kind; unknown labels are shown as written."""
    label = UNIT_KIND_LABELS.get(kind)
    return str(label) if label is not None else kind


def reject_key(mapping: dict[str, str], key: str) -> dict[str, str]:
    """A copy of `mapping` without `key` (for pagination links that keep the filters)."""
    return {k: v for k, v in mapping.items() if k != key}


def age(birth_year: int | None, on: date) -> int | None:
    """Age on a date, from the birth year."""
    return age_on(birth_year, on)


def current_language() -> str:
    """The language code of the page being rendered ("vi" or "en")."""
    locale = get_locale()
    return locale.language if locale is not None else "vi"


def init_app(app: Flask) -> None:
    """Register the filters and globals."""
    app.add_template_filter(format_phone, "phone")
    app.add_template_filter(reject_key)
    app.add_template_filter(age)
    app.add_template_global(role_label)
    app.add_template_global(unit_kind_label)
    app.add_template_global(current_language)
