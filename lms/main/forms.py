"""The language switch form in the page footer."""

from flask_wtf import FlaskForm
from wtforms import HiddenField


class LanguageForm(FlaskForm):
    lang = HiddenField()
    next = HiddenField()
