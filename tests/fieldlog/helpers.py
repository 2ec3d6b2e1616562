"""A small world for the field log tests: a district, two communes, villages with teams."""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import select

from lms.fieldlog.kinds import ensure_default_kinds
from lms.fieldlog.models import ServiceKind
from lms.people.models import Person, Role, Unit
from tests.factories import make_person, make_unit


@dataclass
class World:
    district: Unit
    commune: Unit
    village: Unit
    neighbour: Unit
    far_commune: Unit
    far_village: Unit
    member: Person
    leader: Person
    far_member: Person
    officer: Person
    far_officer: Person
    admin: Person


def build_world() -> World:
    ensure_default_kinds()
    district = make_unit("Như Xuân", kind="district", code="NX")
    commune = make_unit("Xã Bãi Trành", district, code="BT")
    village = make_unit("Thôn Xuân Thành", commune, kind="village", code="BT-XT", team=True)
    neighbour = make_unit("Thôn Đồng Mười", commune, kind="village", code="BT-DM", team=True)
    far_commune = make_unit("Xã Thanh Quân", district, code="TQ")
    far_village = make_unit("Bản Đồng Lớn", far_commune, kind="village", code="TQ-DL", team=True)
    member = make_person(Role.MEMBER, village, name="Lò Thị Mai", phone="0912000001",
                         birth_year=1958)
    leader = make_person(Role.LEADER, village, name="Hà Văn Tổ", phone="0912000002")
    far_member = make_person(Role.MEMBER, far_village, name="Vi Văn Xa", phone="0912000003")
    officer = make_person(Role.OFFICER, commune, name="Cán bộ xã", phone="0912000004")
    far_officer = make_person(Role.OFFICER, far_commune, name="Cán bộ xa", phone="0912000005")
    admin = make_person(Role.ADMIN, None, name="Quản trị", phone="0912000006")
    return World(district, commune, village, neighbour, far_commune, far_village, member, leader,
                 far_member, officer, far_officer, admin)


def kind_id(db, code: str) -> int:  # noqa: ANN001
    return db.session.scalar(select(ServiceKind.id).where(ServiceKind.code == code))


def form_token(page: str) -> str:
    match = re.search(r'name="token"[^>]*value="([^"]+)"', page)
    assert match, "no token on the page"
    return match.group(1)
