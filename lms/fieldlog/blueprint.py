"""The field log's blueprint and what its views share."""

from __future__ import annotations

from flask import Blueprint
from flask_babel import get_locale

from lms.fieldlog.kinds import active_kinds
from lms.fieldlog.models import ServiceKind
from lms.forms import options
from lms.people.models import Role

bp = Blueprint("fieldlog", __name__, template_folder="templates")
RECORDERS = (Role.MEMBER, Role.LEADER)
OFFICERS = (Role.OFFICER, Role.ADMIN)


def language() -> str:
    """The reader's language, for kind names."""
    return str(get_locale() or "vi")


@bp.app_template_filter("kind_name")
def kind_name(kind: ServiceKind) -> str:
    """A kind's name in the reader's language (templates: `kind|kind_name`)."""
    return kind.name(language())


def kind_choices() -> list:
    """The kinds a member can tick, in the reader's language."""
    return options((str(kind.id), kind.name(language())) for kind in active_kinds())
