"""The list of service kinds: seeded defaults, and what admins change."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from lms.errors import LmsError
from lms.extensions import db
from lms.fieldlog.models import ServiceKind
from lms.text import has_control_character, nfc

# The list issue 19 names (the migration seeds the same rows); code, Vietnamese, English.
DEFAULT_KINDS = (
    ("vneid-level-2", "Kích hoạt VNeID mức 2", "VNeID level 2 activation"),
    ("public-service", "Nộp hồ sơ dịch vụ công trực tuyến", "Online public-service application"),
    ("cashless-payment", "Cài đặt thanh toán không dùng tiền mặt", "Cashless payment set up"),
    ("scam-report", "Báo cáo, phòng tránh lừa đảo", "Scam report"),
    ("online-selling", "Bán hàng trên mạng", "Online selling"),
    ("health-book", "Sổ sức khỏe điện tử", "Electronic health book"),
    ("smartphone-basics", "Sử dụng điện thoại thông minh", "Smartphone basics"),
    ("other", "Việc khác", "Other"),
)
MAX_NAME = 120


def ensure_default_kinds() -> None:
    """Add the default kinds when the list is empty (tests, demo, an emptied database)."""
    if db.session.scalar(select(func.count()).select_from(ServiceKind)):
        return
    for number, (code, vi, en) in enumerate(DEFAULT_KINDS, start=1):
        db.session.add(ServiceKind(code=code, name_vi=vi, name_en=en, position=number))
    db.session.flush()


def all_kinds() -> list[ServiceKind]:
    """Every kind, retired ones too, in the list's order."""
    return list(db.session.scalars(select(ServiceKind).order_by(ServiceKind.position,
                                                                ServiceKind.id)))


def active_kinds() -> list[ServiceKind]:
    """The kinds a member can choose today."""
    return [kind for kind in all_kinds() if kind.active]


def _clean_name(text: str) -> str:
    name = nfc(" ".join((text or "").split()))
    if not name:
        raise LmsError(_l("Enter a name."), field="name_vi")
    if len(name) > MAX_NAME or has_control_character(name):
        raise LmsError(_l("The name is longer than %(max)d characters.", max=MAX_NAME),
                       field="name_vi")
    return name


def save_kind(kind: ServiceKind | None, *, name_vi: str, name_en: str,
              active: bool = True) -> ServiceKind:
    """Add a kind (when `kind` is None) or rename / retire one; a retired kind stays on old
    entries but is no longer offered."""
    vi, en = _clean_name(name_vi), _clean_name(name_en or name_vi)
    if kind is None:
        position = (db.session.scalar(select(func.max(ServiceKind.position))) or 0) + 1
        kind = ServiceKind(code=f"kind-{position}", position=position)
        db.session.add(kind)
    kind.name_vi, kind.name_en, kind.active = vi, en, active
    db.session.flush()
    return kind
