"""Forms for login, passwords, people and units."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    HiddenField,
    IntegerField,
    PasswordField,
    SelectField,
    StringField,
)
from wtforms.validators import (
    DataRequired,
    EqualTo,
    Length,
    NumberRange,
    Optional,
    Regexp,
    ValidationError,
)

from lms.clock import local_today
from lms.forms import options
from lms.people.ages import AGE_BANDS
from lms.people.areas.units import UNIT_KINDS, tree_order
from lms.people.models import Gender, Role, Unit, canonical_password
from lms.people.phone import InvalidPhone, normalise_phone

ROLE_LABELS = {
    Role.MEMBER: _l("Member"),
    Role.LEADER: _l("Team leader"),
    Role.TRAINER: _l("Trainer"),
    Role.OFFICER: _l("Officer"),
    Role.ADMIN: _l("Administrator"),
}
GENDER_LABELS = {Gender.FEMALE: _l("Female"), Gender.MALE: _l("Male"), Gender.OTHER: _l("Other")}
AGE_BAND_LABELS = {
    "under-30": _l("Under 30"),
    "30-44": _l("30 to 44"),
    "45-59": _l("45 to 59"),
    "60-plus": _l("60 and over"),
}
UNIT_KIND_LABELS = {
    "province": _l("Province"),
    "district": _l("District (former)"),
    "commune": _l("Commune"),
    "ward": _l("Ward"),
    "special-zone": _l("Special zone"),
    "town": _l("Town"),
    "village": _l("Village"),
    "hamlet": _l("Hamlet"),
    "neighbourhood": _l("Neighbourhood"),
}


def validate_phone(form: FlaskForm, field: StringField) -> None:
    """Accept any common way of writing a Vietnamese mobile number."""
    try:
        normalise_phone(field.data or "")
    except InvalidPhone:
        raise ValidationError(
            _l("Enter a Vietnamese mobile number of 10 digits, such as 0912 345 678.")
        ) from None


class BirthYearRange(NumberRange):
    """A birth year from 1900 to this year, read when the form is checked, not when it is defined
    (a worker started in December must accept a baby born in January)."""

    def __init__(self) -> None:
        super().__init__(min=1900, message=_l("Enter a birth year between %(min)s and %(max)s."))

    def __call__(self, form: FlaskForm, field: IntegerField) -> None:
        self.max = local_today().year
        super().__call__(form, field)


def unit_choices(units: list[Unit], blank: str) -> list[tuple[str, str]]:
    """Select options for units, indented by depth so the tree shows, siblings in natural
    order of their names."""
    return options([("", blank)] + [(str(u.id), f"{'· ' * u.depth}{u.name}")
                                    for u in tree_order(units)])


class LoginForm(FlaskForm):
    phone = StringField(_l("Phone number"),
                        validators=[DataRequired(_l("Enter your phone number.")), validate_phone])
    password = PasswordField(_l("Password"), validators=[DataRequired(_l("Enter your password."))])
    remember = BooleanField(_l("Remember me on this phone"))
    next = HiddenField()


def _canonical(value: str | None) -> str | None:
    return canonical_password(value) if value else value


class ChangePasswordForm(FlaskForm):
    current_password = PasswordField(_l("Current password"),
                                     validators=[DataRequired(_l("Enter your current password."))])
    new_password = PasswordField(
        _l("New password"), filters=[_canonical],
        validators=[DataRequired(_l("Enter a new password.")),
                    Length(min=8, message=_l("The password needs at least %(min)d characters."))],
    )
    confirm = PasswordField(
        _l("New password again"), filters=[_canonical],
        validators=[EqualTo("new_password", message=_l("The two new passwords are not the same."))],
    )


class PersonForm(FlaskForm):
    full_name = StringField(_l("Full name"), validators=[DataRequired(_l("Enter the full name.")),
                                                         Length(max=200)])
    phone = StringField(_l("Phone number"), validators=[DataRequired(_l("Enter a phone number.")),
                                                        validate_phone])
    birth_year = IntegerField(
        _l("Birth year"),
        validators=[Optional(),
                    BirthYearRange()],
    )
    gender = SelectField(_l("Gender"), choices=[], validate_choice=True)
    email = StringField(_l("Email (optional)"),
                        validators=[Optional(), Length(max=254),
                                    Regexp(r"^[^@\s]+@[^@\s]+\.[^@\s]+$",
                                           message=_l("Enter a valid email address."))])
    position = StringField(_l("Position (other posts held)"), validators=[Optional(),
                                                                          Length(max=200)])
    role = SelectField(_l("Role"), choices=[])
    unit = SelectField(_l("Unit"), choices=[])
    active = BooleanField(_l("Active (can log in)"), default=True)

    def fill_choices(self, roles: list[Role], units: list[Unit]) -> None:
        """Offer the roles and units the actor may give."""
        self.role.choices = options((r.value, ROLE_LABELS[r]) for r in roles)
        self.unit.choices = unit_choices(units, str(_l("— none —")))
        self.gender.choices = options([("", str(_l("— not given —")))] + [
            (g.value, label) for g, label in GENDER_LABELS.items()
        ])


class PeopleFilterForm(FlaskForm):
    class Meta:
        csrf = False  # a GET search changes nothing

    q = StringField(_l("Name or phone"))
    unit = SelectField(_l("Area"), choices=[], validate_choice=False)
    role = SelectField(_l("Role"), choices=[], validate_choice=False)
    age_band = SelectField(_l("Age"), choices=[], validate_choice=False)
    active = SelectField(_l("Status"), choices=[], validate_choice=False)

    def fill_choices(self, units: list[Unit]) -> None:
        """Offer the units in scope and the fixed lists."""
        self.unit.choices = unit_choices(units, str(_l("All areas")))
        self.role.choices = options([("", str(_l("All roles")))] + [
            (r.value, label) for r, label in ROLE_LABELS.items()
        ])
        self.age_band.choices = options([("", str(_l("All ages")))] + [
            (b.key, AGE_BAND_LABELS[b.key]) for b in AGE_BANDS
        ])
        self.active.choices = options([("", str(_l("Active and inactive"))),
                                       ("yes", str(_l("Active"))), ("no", str(_l("Inactive")))])


class UnitForm(FlaskForm):
    code = StringField(_l("Code"), validators=[DataRequired(_l("Enter a code.")), Length(max=40),
                                               Regexp(r"^[A-Za-z0-9._-]+$",
                                                      message=_l("Use letters, digits, '.', "
                                                                 "'-' or '_' only."))])
    name = StringField(_l("Name"), validators=[DataRequired(_l("Enter a name.")), Length(max=200)])
    kind = SelectField(_l("Kind"), choices=options((k, UNIT_KIND_LABELS[k]) for k in UNIT_KINDS))
    parent = SelectField(_l("Inside"), choices=[], validate_choice=True)


class UnitEditForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(_l("Enter a name.")), Length(max=200)])
    kind = SelectField(_l("Kind"), choices=options((k, UNIT_KIND_LABELS[k]) for k in UNIT_KINDS))
    parent = SelectField(_l("Inside"), choices=[], validate_choice=True)
