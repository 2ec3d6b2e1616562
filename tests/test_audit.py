"""Changes by officers, trainers and admins are recorded with before and after."""

from __future__ import annotations

from sqlalchemy import select

from lms.audit.models import AuditEntry
from lms.people.models import Role
from tests.conftest import login, post_form
from tests.factories import PASSWORD, make_person, make_unit


def entries(db, action: str) -> list[AuditEntry]:
    return list(db.session.scalars(select(AuditEntry).where(AuditEntry.action == action)))


def test_people_changes_are_logged_with_before_and_after(client, db):
    commune = make_unit("Xã A")
    village = make_unit("Thôn 1", commune, kind="village", team=True)
    officer = make_person(Role.OFFICER, commune, name="Cán bộ A")
    member = make_person(unit=village, name="Lò Văn Bình", phone="0911111111")
    db.session.commit()
    login(client, officer.phone, PASSWORD)
    post_form(client, f"/people/{member.id}", {
        "full_name": "Lò Văn Bình", "phone": "0911111111", "role": "leader",
        "unit": str(village.id), "gender": "", "active": "y", "birth_year": "1960"})
    post_form(client, f"/people/{member.id}/reset-password", {})
    updated = entries(db, "person.updated")[0]
    assert updated.actor_id == officer.id and updated.object_id == member.id
    assert updated.before == {"role": "member", "birth_year": 1970}
    assert updated.after == {"role": "leader", "birth_year": 1960}
    assert entries(db, "person.password_reset")[0].summary == "Lò Văn Bình"


def test_admin_filters_the_log_and_others_cannot_see_it(client, db, runner):
    admin = make_person(Role.ADMIN, name="Quản trị")
    officer = make_person(Role.OFFICER, make_unit("Xã B"))
    db.session.commit()
    login(client, admin.phone, PASSWORD)
    post_form(client, "/units/new", {"code": "T-9", "name": "Thôn Chín", "kind": "village",
                                     "parent": ""})
    runner.invoke(args=["lms", "create-user", "--phone", "0933000111", "--password",
                        "long enough", "--name", "Người mới"])
    page = client.get("/audit?action=unit.created").get_data(as_text=True)
    assert "Thôn Chín" in page and "Người mới" not in page
    page = client.get("/audit?object_type=person").get_data(as_text=True)
    assert "Người mới" in page and "Dòng lệnh" in page
    other = client.application.test_client()
    login(other, officer.phone, PASSWORD)
    assert other.get("/audit").status_code == 403
