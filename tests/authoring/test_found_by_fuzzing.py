"""Regressions found by tests/fuzz: uploads and buttons that used to crash the course editor."""

from __future__ import annotations

import io
import zipfile

import pytest
from sqlalchemy import func, select

from lms.authoring.models import CourseDraft, DraftFile
from lms.authoring.zipfiles import read_course_zip
from lms.courses.content import ContentValidationError
from lms.courses.models import Course
from tests.authoring.test_editor import author, new_course, trainer  # noqa: F401 (fixtures)
from tests.conftest import post_form


def course_zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("khoa/course.md", "---\ntitle: Khóa\n---\n" + "Nội dung. " * 50)
        archive.writestr("khoa/01-a.md", "---\ntitle: A\n---\n")
    return buffer.getvalue()


def damaged(data: bytes, at: int, junk: bytes) -> bytes:
    return data[:at] + junk + data[at + len(junk):]


ZIP = course_zip()
DIRECTORY = ZIP.index(b"PK\x01\x02")  # the central directory, which zipfile trusts
DAMAGED = {
    "bad CRC": damaged(ZIP, 60, b"\x00\x00\x00\x00"),  # inside the first file's data
    "encrypted flag": damaged(ZIP, DIRECTORY + 8, b"\x01"),
    "unknown compression": damaged(ZIP, DIRECTORY + 10, b"\x63"),
    "bad deflate data": damaged(ZIP, 50, b"\xff" * 12),
    "header and directory disagree": ZIP.replace(b"khoa/01-a.md", b"khoa/01-b.md", 1),
}


@pytest.mark.parametrize("kind", DAMAGED)
def test_a_damaged_zip_is_a_problem_not_a_crash(kind):
    """zipfile raised BadZipFile, RuntimeError, NotImplementedError or zlib.error on read."""
    with pytest.raises(ContentValidationError) as caught:
        read_course_zip(DAMAGED[kind], "khoa.zip")
    assert caught.value.errors[0].file == "khoa.zip"


def test_a_damaged_zip_upload_lists_the_problem_and_stores_nothing(author, db):  # noqa: F811
    page = post_form(author, "/author/import", {"file": (io.BytesIO(DAMAGED["bad CRC"]),
                                                         "khoa.zip")})
    assert page.status_code == 200 and "khoa.zip" in page.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Course)) == 0


@pytest.mark.parametrize("revision", ["²", "9" * 5000])
def test_a_revision_that_is_not_a_number_deletes_nothing(author, db, revision):  # noqa: F811
    """int("²") raised ValueError; so did a number of 5000 digits."""
    new_course(author)
    files = db.session.scalar(select(func.count()).select_from(DraftFile))
    response = post_form(author, "/author/khoa-moi/files/course.md/delete",
                         {"revision": revision})
    assert response.status_code == 302
    assert db.session.scalar(select(func.count()).select_from(DraftFile)) == files
    assert db.session.scalar(select(CourseDraft)) is not None


def test_a_very_long_upload_name_fits_the_path_column(author, db):  # noqa: F811
    """PostgreSQL refused the path: "value too long for type character varying(300)"."""
    new_course(author)
    response = post_form(author, "/author/khoa-moi/assets", {
        "file": (io.BytesIO(b"\x89PNG\r\n\x1a\n"), "Ảnh " * 100 + ".png")})
    assert response.status_code == 302
    path = db.session.scalar(select(DraftFile.path).where(DraftFile.path.like("images/%")))
    assert len(path) <= 300 and path.endswith(".png")
