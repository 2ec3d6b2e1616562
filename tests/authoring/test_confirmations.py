"""Discarding a draft and publishing with recertification ask first."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from sqlalchemy import func, select

from lms.authoring.models import CourseDraft
from lms.clock import local_today
from lms.courses.models import CourseVersion
from tests.authoring.test_editor import author, new_course, trainer  # noqa: F401
from tests.conftest import post_form
from tests.courses.test_content import SLUG, course_files
from tests.factories import complete_course, make_course, make_person


def _drafts(db) -> int:  # noqa: ANN001
    return db.session.scalar(select(func.count()).select_from(CourseDraft))


def _fingerprint(page: str) -> str:
    return re.search(r'name="revision" value="([0-9a-f]+)"', page).group(1)


def test_discarding_a_draft_asks_first(author, db):  # noqa: F811
    new_course(author)
    post_form(author, "/author/khoa-moi/lessons", {"title": "Bài một"})
    asked = post_form(author, "/author/khoa-moi/discard", {})
    page = asked.get_data(as_text=True)
    assert asked.status_code == 200
    assert "1 bài" in page and "Bài một" in page and "chưa từng được xuất bản" in page
    assert _drafts(db) == 1  # nothing deleted yet
    done = post_form(author, "/author/khoa-moi/discard",
                     {"confirm": "1", "revision": _fingerprint(page)})
    assert done.headers["Location"] == "/author"
    assert _drafts(db) == 0


def test_a_draft_changed_after_the_confirmation_is_not_discarded(author, db):  # noqa: F811
    new_course(author)
    post_form(author, "/author/khoa-moi/lessons", {"title": "Bài một"})
    page = post_form(author, "/author/khoa-moi/discard", {}).get_data(as_text=True)
    post_form(author, "/author/khoa-moi/lessons", {"title": "Bài hai"})  # saved meanwhile
    refused = post_form(author, "/author/khoa-moi/discard",
                        {"confirm": "1", "revision": _fingerprint(page)})
    assert refused.status_code == 409
    assert "Không có gì bị bỏ" in refused.get_data(as_text=True)
    assert _drafts(db) == 1


def test_publishing_with_recertification_states_how_many_become_outdated(
        author, runner, tmp_path, db):  # noqa: F811
    course = make_course(course_files(), SLUG)
    db.session.commit()
    moment = datetime.combine(local_today(), datetime.min.time(), tzinfo=UTC)
    for _ in range(2):
        complete_course(make_person(), course, moment)
    db.session.commit()
    versions = db.session.scalar(select(func.count()).select_from(CourseVersion))
    post_form(author, "/author/courses/vneid-co-ban/edit", {})
    fields = {"version": "2099.1", "note": "Đổi giao diện", "requires_recertification": "y"}
    asked = post_form(author, "/author/vneid-co-ban/publish", fields)
    page = asked.get_data(as_text=True)
    assert asked.status_code == 200 and "2 thành viên" in page and "lỗi thời" in page
    assert db.session.scalar(select(func.count()).select_from(CourseVersion)) == versions
    hidden = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', page))
    assert hidden["confirm"] == "1" and hidden["version"] == "2099.1"
    done = author.post("/author/vneid-co-ban/publish", data=hidden)
    assert done.status_code == 302
    assert db.session.scalar(select(func.count()).select_from(CourseVersion)) == versions + 1


def test_publishing_without_recertification_needs_no_confirmation(
        author, runner, tmp_path, db):  # noqa: F811
    make_course(course_files(), SLUG)
    db.session.commit()
    post_form(author, "/author/courses/vneid-co-ban/edit", {})
    done = post_form(author, "/author/vneid-co-ban/publish",
                     {"version": "2099.1", "note": "Sửa chính tả"})
    assert done.status_code == 302
