"""Forms of the course editor."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    HiddenField,
    IntegerField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from lms.courses.content import MAX_GRACE_DAYS
from lms.courses.forms import LEVEL_LABELS
from lms.forms import options


class NewCourseForm(FlaskForm):
    title = StringField(_l("Title"), validators=[DataRequired(_l("Enter a title.")),
                                                 Length(max=300)])
    slug = StringField(_l("Short name for the web address"), validators=[
        DataRequired(_l("Enter a short name.")), Length(max=100)])


class SettingsForm(FlaskForm):
    revision = HiddenField()
    title = StringField(_l("Title"), validators=[DataRequired(_l("Enter a title.")),
                                                 Length(max=300)])
    summary = StringField(_l("One-sentence summary"), validators=[Length(max=500)])
    tags = StringField(_l("Tags (separated by commas)"), validators=[Length(max=300)])
    level = SelectField(_l("Level"), choices=options(LEVEL_LABELS.items()))
    minutes = IntegerField(_l("Estimated minutes"), validators=[Optional(), NumberRange(1, 10000)])
    pass_mark = IntegerField(_l("Pass mark (%)"), default=80,
                             validators=[DataRequired(_l("Enter a pass mark from 1 to 100.")),
                                         NumberRange(1, 100)])
    certificate_valid_months = IntegerField(
        _l("Certificate valid for (months, 0 = no expiry)"), default=0,
        validators=[Optional(), NumberRange(0, 240)])
    visibility = SelectField(_l("Who can read it"), choices=options([
        ("public", _l("Everyone, without logging in")), ("members", _l("Members only"))]))
    required = BooleanField(_l("Required for every member"))
    intro = TextAreaField(_l("Introduction (Markdown)"), render_kw={"rows": 8})


class LessonForm(FlaskForm):
    revision = HiddenField()
    title = StringField(_l("Title"), validators=[DataRequired(_l("Enter a title.")),
                                                 Length(max=300)])
    minutes = IntegerField(_l("Estimated minutes"), validators=[Optional(), NumberRange(1, 600)])
    body = TextAreaField(_l("Text (Markdown)"), render_kw={"rows": 20})
    audio = FileField(_l("Recording of the lesson read aloud (MP3, M4A, AAC, Ogg or WAV, at "
                         "most 15 MB)"))
    remove_audio = BooleanField(_l("Remove the recording"))


class NewLessonForm(FlaskForm):
    title = StringField(_l("Title of the new lesson"), validators=[
        DataRequired(_l("Enter a title.")), Length(max=300)])


class QuizForm(FlaskForm):
    revision = HiddenField()
    text = TextAreaField(_l("quiz.md"), render_kw={"rows": 24})


class UploadForm(FlaskForm):
    file = FileField(_l("Image or PDF (at most 2 MB)"), validators=[
        FileRequired(_l("Choose a file."))])


class GiftForm(FlaskForm):
    file = FileField(_l("Moodle GIFT file (.gift or .txt)"), validators=[
        FileRequired(_l("Choose a file."))])


class ZipForm(FlaskForm):
    file = FileField(_l("Course zip file"), validators=[FileRequired(_l("Choose a file."))])


class PublishForm(FlaskForm):
    version = StringField(_l("New version"), validators=[
        DataRequired(_l("Enter a version, for example 2026.2.")), Length(max=50)])
    note = TextAreaField(_l("What changed"), validators=[
        DataRequired(_l("Describe what changed, in a sentence or two.")), Length(max=2000)])
    requires_recertification = BooleanField(
        _l("These changes are important: members certified on earlier versions must take the "
           "course again"))
    grace_days = IntegerField(
        _l("Days members have to update their certificate"), default=0,
        validators=[Optional(), NumberRange(0, MAX_GRACE_DAYS,
                                            _l("Enter a number of days from 0 to 365."))])


class FileActionForm(FlaskForm):
    """Buttons on a file (move, delete): the file's revision travels with them."""

    revision = HiddenField()
