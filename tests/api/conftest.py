"""A small world for the API: a province with two communes, officers of each, members with
and without certificates, and a token maker."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select

from lms.api.tokens import create_token
from lms.courses.models import Course
from lms.people.models import Role
from tests.courses.test_content import write_course
from tests.factories import complete_course, make_person, make_unit

NOW = datetime(2026, 11, 28, 3, 0, tzinfo=UTC)
TODAY = date(2026, 11, 28)
COURSE = {
    "course.md": "---\ntitle: VNeID cơ bản\nversion: '1'\ncertificate_valid_months: 12\n"
                 "required: true\n---\nGiới thiệu.\n",
    "01-gioi-thieu.md": "---\ntitle: Giới thiệu\n---\nVNeID là gì.\n",
    "quiz.md": "---\ntitle: Kiểm tra\n---\n\n## Ai phát triển VNeID?\n\n- [x] Bộ Công an\n"
               "- [ ] Bưu điện\n\n> Giải thích: Bộ Công an.\n",
}


@pytest.fixture()
def area(runner, db, tmp_path, today_is):  # noqa: ANN001, ANN201
    today_is(TODAY)
    result = runner.invoke(args=["lms", "import-content",
                                 str(write_course(tmp_path, COURSE, "vneid-co-ban"))])
    assert result.exit_code == 0, result.output
    course = db.session.scalar(select(Course))
    province = make_unit("Tỉnh Thanh Hóa", kind="province")
    commune_a, commune_b = make_unit("Xã A", province), make_unit("Xã B", province)
    village_a = make_unit("Thôn A1", commune_a, kind="village", team=True)
    village_b = make_unit("Thôn B1", commune_b, kind="village", team=True)
    members_a = [make_person(unit=village_a, name=f"Thành viên A{n}", birth_year=1950 + n * 5)
                 for n in range(6)]
    members_b = [make_person(unit=village_b, name=f"Thành viên B{n}", birth_year=1960)
                 for n in range(3)]
    complete_course(members_a[0], course, NOW)
    complete_course(members_b[0], course, NOW)
    world = {
        "course": course, "province": province, "commune_a": commune_a,
        "commune_b": commune_b, "village_a": village_a, "village_b": village_b,
        "members_a": members_a, "members_b": members_b,
        "officer_a": make_person(Role.OFFICER, commune_a, name="Cán bộ A"),
        "officer_b": make_person(Role.OFFICER, commune_b, name="Cán bộ B"),
        "admin": make_person(Role.ADMIN, None, name="Quản trị"),
    }
    db.session.commit()
    return world


@pytest.fixture()
def token(db):  # noqa: ANN001, ANN201
    """token(person, scope) -> the secret of a new token."""
    def make(person, scope: str = "read") -> str:  # noqa: ANN001
        _row, secret = create_token(person, name="test", scope=scope, now=NOW)
        db.session.commit()
        return secret
    return make


def bearer(secret: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {secret}"}
