"""The language switch and text size forms of the page frame."""

from flask_wtf import FlaskForm
from wtforms import HiddenField


class LanguageForm(FlaskForm):
    lang = HiddenField()
    next = HiddenField()


class TextSizeForm(FlaskForm):
    size = HiddenField()
    next = HiddenField()
