"""Filters and globals shared by every template."""

from __future__ import annotations

import functools
from datetime import date, datetime
from typing import Any

from babel import dates
from babel.support import NullTranslations
from flask import Flask
from flask_babel import format_date, format_datetime, format_number, get_locale, get_translations
from jinja2.runtime import Context
from jinja2.utils import pass_context
from markupsafe import Markup

from lms.certification.vocabulary import ReportStatus
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


def age(birth_year: int | None, on: date) -> int | None:
    """Age on a date, from the birth year."""
    return age_on(birth_year, on)


def current_language() -> str:
    """The language code of the page being rendered ("vi" or "en")."""
    locale = get_locale()
    return locale.language if locale is not None else "vi"


# Full four-digit years: "29/11/26" is easy to misread on a certificate.
DATE_FORMATS = {"vi": "dd/MM/yyyy", "en": "d MMM yyyy"}


def short_datetime(moment: datetime | None) -> str:
    """A date and time in the user's language and Vietnam's time zone."""
    if moment is None:
        return ""
    return format_datetime(moment, f"HH:mm {DATE_FORMATS.get(current_language(), 'dd/MM/yyyy')}")


def short_date(moment: date | None) -> str:
    """A date in the user's language."""
    if moment is None:
        return ""
    if type(moment) is date:  # a datetime is first moved into the user's time zone
        return _formatted_date(moment, current_language())
    return format_date(moment, DATE_FORMATS.get(current_language(), "dd/MM/yyyy"))


@functools.lru_cache(maxsize=4096)
def _formatted_date(moment: date, language: str) -> str:
    # A page lists a handful of dates, the same on many pages: Babel's formatting of each
    # costs more than the rest of the line it is on.
    return dates.format_date(moment, DATE_FORMATS.get(language, "dd/MM/yyyy"), locale=language)


def _translations(context: Context) -> NullTranslations:
    # Looked up once per render (see init_app); macros imported without the context ask again.
    found = context.get("babel_translations")
    return found if found is not None else get_translations()


@pass_context
def template_gettext(context: Context, string: str, **variables: Any) -> str:
    """`_()` and `gettext()` in templates: Jinja's new-style gettext (escaping, always
    %-formatted) with the translations of the render in hand, not looked up on every call."""
    text = _translations(context).ugettext(string)
    return (Markup(text) if context.eval_ctx.autoescape else text) % variables


@pass_context
def template_ngettext(context: Context, singular: str, plural: str, num: int,
                      **variables: Any) -> str:
    """`ngettext()` in templates, as `template_gettext`; `num` is available as %(num)d."""
    variables.setdefault("num", num)
    text = _translations(context).ungettext(singular, plural, num)
    return (Markup(text) if context.eval_ctx.autoescape else text) % variables


def init_app(app: Flask) -> None:
    """Register the filters and globals."""
    # Flask-Babel's callables find the translations anew for every string of a page.
    app.context_processor(lambda: {"babel_translations": get_translations()})
    app.jinja_env.globals.update(_=template_gettext, gettext=template_gettext,
                                 ngettext=template_ngettext)
    app.add_template_filter(format_phone, "phone")
    app.add_template_filter(age)
    app.add_template_filter(short_datetime, "datetime")
    app.add_template_filter(short_date, "date")
    app.add_template_filter(format_number, "number")
    app.add_template_global(role_label)
    app.add_template_global(unit_kind_label)
    app.add_template_global(current_language)
    app.add_template_global(ReportStatus, "report_status")  # the reports' status words
