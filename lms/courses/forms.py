"""Forms of the course pages."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField, StringField

from lms.forms import options

LEVEL_LABELS = {"basic": _l("Basic"), "intermediate": _l("Intermediate"),
                "advanced": _l("Advanced")}


class CatalogueFilterForm(FlaskForm):
    class Meta:
        csrf = False  # a GET search changes nothing

    q = StringField(_l("Search by name or topic"))
    level = SelectField(_l("Level"), validate_choice=False,
                        choices=options([("", _l("All levels")), *LEVEL_LABELS.items()]))


class ActionForm(FlaskForm):
    """A button that changes something: only the CSRF token travels."""
