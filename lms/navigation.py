"""The navigation bar: what each role can reach, and the links of the page frame."""

from __future__ import annotations

from dataclasses import dataclass

from flask import Flask, current_app, get_template_attribute, request, url_for
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from markupsafe import Markup

from lms.caching import BoundedCache, Slotted, rendered_once
from lms.people.models import Role
from lms.text_size import current_text_size, size_buttons

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
    NavItem("classes.class_list", _l("Classes"),
            frozenset({Role.TRAINER, Role.OFFICER, Role.ADMIN})),
    NavItem("dashboards.my_team", _l("My team"), frozenset({Role.LEADER})),
    NavItem("fieldlog.my_log", _l("Field log"), frozenset({Role.MEMBER, Role.LEADER})),
    NavItem("fieldlog.team_week", _l("Team's visits"), frozenset({Role.LEADER})),
    NavItem("fieldlog.report", _l("Help given"), frozenset({Role.OFFICER, Role.ADMIN})),
    NavItem("authoring.index", _l("Course editor"), frozenset({Role.TRAINER, Role.ADMIN})),
    NavItem("people.people_list", _l("People"), frozenset({Role.OFFICER, Role.ADMIN})),
    NavItem("units.unit_tree", _l("Areas"), frozenset({Role.ADMIN})),
    NavItem("audit.audit_log", _l("Audit log"), frozenset({Role.ADMIN})),
    NavItem("fieldlog.kinds", _l("Kinds of help"), frozenset({Role.ADMIN})),
    NavItem("certification.verify_form", _l("Verify a certificate"), frozenset({None})),
)


# The page frame's own links (base.html), by name.
SITE_LINKS = {
    "stylesheet": ("static", {"filename": "css/app.css"}),
    "icon": ("static", {"filename": "favicon.svg"}),
    "manifest": ("offline.manifest", {}),
    "worker": ("offline.worker", {}),
    "offline_js": ("static", {"filename": "js/offline.js"}),
    "offline_more": ("static", {"filename": "js/offline-queue.js"}),
    "home": ("main.home", {}),
    "login": ("people.login", {}),
    "change_password": ("people.change_password", {}),
    "logout": ("people.logout", {}),
    "language": ("main.set_language", {}),
    "text_size": ("main.set_text_size", {}),
}


def _cache() -> BoundedCache:
    return current_app.extensions["lms_navigation"]


def nav_items() -> list[dict[str, object]]:
    """The links the current visitor may follow, with the current one marked."""
    role = current_user.role if current_user.is_authenticated else None
    # URLs and labels are the same for everyone with this role and language.
    links = _cache().get_or_make(("nav", role, str(get_locale()), request.script_root),
                                 lambda: _nav_links(role))
    return [{"url": url, "label": label, "current": request.endpoint == endpoint}
            for endpoint, url, label in links]


def _nav_links(role: Role | None) -> tuple[tuple[str, str, str], ...]:
    return tuple((item.endpoint, url_for(item.endpoint), str(item.label)) for item in NAV_ITEMS
                 if role in item.roles and item.endpoint in current_app.view_functions)


def site_links() -> dict[str, str]:
    """The URLs of the page frame: stylesheet, icon, home, login, logout, language."""
    return _cache().get_or_make(("site", request.script_root), lambda: {
        name: url_for(endpoint, **values) for name, (endpoint, values) in SITE_LINKS.items()})


def site_header() -> Markup:
    """The skip link, brand and navigation bar of the page frame, rendered once for each role,
    language and current page."""
    role = current_user.role if current_user.is_authenticated else None
    key = ("header", role, str(get_locale()), request.endpoint, request.script_root)

    def render() -> Markup:
        macro = get_template_attribute("macros/frame.html", "site_header")
        return macro(site_links(), nav_items(), role is None, request.endpoint == "people.login")

    return rendered_once(_cache(), key, render)


def site_footer(name: str | None, csrf: str, here: str) -> Markup:
    """The footer of the page frame for the person logged in as `name` (None for a visitor):
    rendered once for each language, then filled with the name, CSRF token and current path."""
    authenticated = name is not None
    lang = str(get_locale())
    key = ("footer", authenticated, lang, request.script_root)

    def render() -> Slotted:
        macro = get_template_attribute("macros/frame.html", "site_footer")
        return Slotted(macro(site_links(), lang, authenticated, Slotted.marker("name"),
                             Slotted.marker("csrf"), Slotted.marker("here")))

    return rendered_once(_cache(), key, render).fill(name=name or "", csrf=csrf, here=here)


def text_size_control(csrf: str, here: str) -> Markup:
    """The A−, A and A+ buttons of the page frame: rendered once for each language and size,
    then filled with the CSRF token and current path."""
    size = current_text_size()
    key = ("text-size", size, str(get_locale()), request.script_root)

    def render() -> Slotted:
        macro = get_template_attribute("macros/frame.html", "text_size")
        return Slotted(macro(site_links(), size_buttons(size), Slotted.marker("csrf"),
                             Slotted.marker("here")))

    return rendered_once(_cache(), key, render).fill(csrf=csrf, here=here)


def init_app(app: Flask) -> None:
    """Make the navigation and the page frame available to every template."""
    # Keyed by role, language, script root and (for the header) the current page.
    app.extensions["lms_navigation"] = BoundedCache(512)
    app.context_processor(lambda: {"nav_items": nav_items, "site_links": site_links,
                                   "site_header": site_header, "site_footer": site_footer,
                                   "text_size": current_text_size,
                                   "text_size_control": text_size_control})
