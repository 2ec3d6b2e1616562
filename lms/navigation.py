"""The navigation bar: what each role can reach."""

from __future__ import annotations

from dataclasses import dataclass

from flask import Flask, current_app, request, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from lms.people.models import Role

EVERYONE = frozenset(Role) | {None}


@dataclass(frozen=True)
class NavItem:
    endpoint: str
    label: object
    roles: frozenset


# Entries whose endpoint does not exist yet are left out, so features can land one by one.
NAV_ITEMS = (
    NavItem("main.home", _l("Home"), EVERYONE),
    NavItem("courses.catalogue", _l("Courses"), EVERYONE),
    NavItem("dashboards.overview", _l("Dashboard"), frozenset({Role.OFFICER, Role.ADMIN})),
    NavItem("classes.class_list", _l("Classes"), frozenset({Role.TRAINER, Role.ADMIN})),
    NavItem("dashboards.my_team", _l("My team"), frozenset({Role.LEADER})),
    NavItem("authoring.index", _l("Course editor"), frozenset({Role.TRAINER, Role.ADMIN})),
    NavItem("people.people_list", _l("People"), frozenset({Role.OFFICER, Role.ADMIN})),
    NavItem("units.unit_tree", _l("Areas"), frozenset({Role.ADMIN})),
    NavItem("audit.audit_log", _l("Audit log"), frozenset({Role.ADMIN})),
    NavItem("certification.verify_form", _l("Verify a certificate"), frozenset({None})),
)


def nav_items() -> list[dict[str, object]]:
    """The links the current visitor may follow, with the current one marked."""
    role = current_user.role if current_user.is_authenticated else None
    items = []
    for item in NAV_ITEMS:
        if role in item.roles and item.endpoint in current_app.view_functions:
            items.append({"url": url_for(item.endpoint), "label": item.label,
                          "current": request.endpoint == item.endpoint})
    return items


def init_app(app: Flask) -> None:
    """Make the navigation available to every template."""
    app.context_processor(lambda: {"nav_items": nav_items})
