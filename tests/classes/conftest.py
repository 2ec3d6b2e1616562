"""An area with two village teams, a member outside it, staff, and a course to teach."""

from __future__ import annotations

from datetime import timedelta

import pytest

from lms.classes.services import schedule_class
from lms.clock import local_today, utc_now
from lms.courses.models import Course, CourseVersion
from lms.people.models import Role
from tests.factories import make_person, make_unit


def make_course(slug: str = "vneid", pass_mark: int = 70, valid_months: int = 24) -> Course:
    from lms.extensions import db

    course = Course(slug=slug, title=f"Course {slug}", intro_md="", intro_html="",
                    search_text=slug, pass_mark=pass_mark, version="2026.1",
                    certificate_valid_months=valid_months)
    db.session.add(course)
    db.session.flush()
    course.versions.append(CourseVersion(version="2026.1"))
    db.session.flush()
    return course


@pytest.fixture()
def area(db):
    province = make_unit("Tỉnh T", kind="province")
    commune = make_unit("Xã Lớp Học", province)
    other_commune = make_unit("Xã Khác", province)
    village_a = make_unit("Thôn A", commune, kind="village", team=True)
    village_b = make_unit("Thôn B", commune, kind="village", team=True)
    village_c = make_unit("Thôn C", other_commune, kind="village", team=True)
    people = {
        "an": make_person(unit=village_a, name="An Thành Viên", birth_year=1955),
        "binh": make_person(Role.LEADER, village_a, name="Bình Tổ Trưởng", birth_year=1970),
        "chi": make_person(unit=village_b, name="Chi Thôn B", birth_year=1990),
        "dung": make_person(unit=village_a, name="Dũng Nghỉ", active=False),
        "em": make_person(unit=village_c, name="Em Xã Khác", phone="0912345678"),
        "trainer": make_person(Role.TRAINER, province, name="Giảng Viên"),
        "officer": make_person(Role.OFFICER, commune, name="Cán Bộ Xã"),
        "other_officer": make_person(Role.OFFICER, other_commune, name="Cán Bộ Khác"),
    }
    course = make_course()
    db.session.commit()
    return {"province": province, "commune": commune, "other_commune": other_commune,
            "village_a": village_a, "village_c": village_c, "course": course, **people}


@pytest.fixture()
def held_class(db, area):
    """A class in the commune held yesterday."""
    klass = schedule_class(course=area["course"], unit=area["commune"],
                           held_on=local_today() - timedelta(days=1), place="Nhà văn hoá xã",
                           notes="", actor=area["trainer"], now=utc_now(), today=local_today())
    db.session.commit()
    return klass
