"""The account page's token forms."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import RadioField, StringField
from wtforms.validators import DataRequired, Length

from lms.forms import options


class TokenForm(FlaskForm):
    name = StringField(_l("Name of the token"),
                       validators=[DataRequired(_l("Give the token a name, such as the system "
                                                   "that will use it.")), Length(max=100)])
    scope = RadioField(_l("What it may do"), default="read",
                       choices=options([("read", _l("Read only")),
                                        ("write", _l("Read, assign refreshers and add people"))]))


class RevokeTokenForm(FlaskForm):
    pass
