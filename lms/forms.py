"""Helpers shared by every feature's forms."""

from __future__ import annotations

from collections.abc import Iterable

from flask_wtf import FlaskForm
from wtforms.fields.choices import SelectChoice

from lms.errors import LmsError


def attach_error(form: FlaskForm, error: LmsError) -> None:
    """Show a service's error next to its field, or at the top of the form."""
    field = getattr(form, error.field, None) if error.field else None
    if field is not None:
        field.errors = [*field.errors, str(error.message)]
    else:
        form.form_errors.append(str(error.message))


def options(pairs: Iterable[tuple[str, object]]) -> list[SelectChoice]:
    """Select options from (value, label) pairs."""
    return [SelectChoice(value, label) for value, label in pairs]


MAX_ID = 2**31 - 1  # the largest id an integer column holds (PostgreSQL's integer)


def whole_number(value: object, maximum: int = MAX_ID) -> int | None:
    """A number written in ASCII digits ("12") up to `maximum`, else None ("²", "-1", "9" * 40)."""
    text = "" if value is None else str(value)
    if not (text.isascii() and text.isdigit()) or len(text) > len(str(maximum)):
        return None
    return int(text) if int(text) <= maximum else None
