"""A request's rollback undoes everything it wrote, savepoints included, on SQLite too.

The sqlite3 module opens a transaction only before a write, so a SAVEPOINT sent after mere reads
used to start a transaction of its own whose RELEASE committed at once: a lesson marked done
survived the request's rollback, and a crash between the two left a lesson done without the
completion it should have earned (found while writing bench/load_fault.py).
"""

from __future__ import annotations

from sqlalchemy import func, select

from lms.clock import utc_now
from lms.courses.models import Course, LessonCompletion
from lms.courses.progress import mark_lesson_done
from lms.people.models import Role, Unit
from tests.factories import make_person, make_unit

COURSE = "vneid-dinh-danh-dien-tu"


def test_rollback_undoes_a_savepoint_opened_after_reads(db):
    make_unit(code="BEFORE")
    db.session.commit()
    assert db.session.scalar(select(func.count(Unit.id))) == 1  # reads only so far
    with db.session.begin_nested():
        make_unit(code="INSIDE")
    db.session.rollback()
    assert list(db.session.scalars(select(Unit.code))) == ["BEFORE"]


def test_a_lesson_marked_done_is_undone_with_its_request(db, runner):
    assert runner.invoke(args=["lms", "import-content", f"course_content/{COURSE}"]).exit_code == 0
    person = make_person(Role.MEMBER)
    course = db.session.scalar(select(Course).where(Course.slug == COURSE))
    db.session.commit()
    assert mark_lesson_done(person, course.lessons[0], utc_now())
    db.session.rollback()  # the request failed after marking the lesson
    assert db.session.scalar(select(func.count(LessonCompletion.id))) == 0
