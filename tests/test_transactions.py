"""A request's rollback undoes everything it wrote, savepoints included, on SQLite too.

The sqlite3 module opens a transaction only before a write, so a SAVEPOINT sent after mere reads
used to start a transaction of its own whose RELEASE committed at once: a lesson marked done
survived the request's rollback, and a crash between the two left a lesson done without the
completion it should have earned (found while writing bench/load_fault.py).
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from sqlalchemy import func, select

from lms.clock import utc_now
from lms.content_errors import ContentValidationError
from lms.courses.models import LessonCompletion
from lms.courses.progress import mark_lesson_done
from lms.errors import LmsError
from lms.people.models import Role, Unit
from lms.transaction import all_or_nothing
from tests.conftest import login, post_form
from tests.courses.test_content import SLUG, course_files
from tests.factories import PASSWORD, make_course, make_person, make_unit


def test_rollback_undoes_a_savepoint_opened_after_reads(db):
    make_unit(code="BEFORE")
    db.session.commit()
    assert db.session.scalar(select(func.count(Unit.id))) == 1  # reads only so far
    with db.session.begin_nested():
        make_unit(code="INSIDE")
    db.session.rollback()
    assert list(db.session.scalars(select(Unit.code))) == ["BEFORE"]


def test_a_lesson_marked_done_is_undone_with_its_request(db):
    course = make_course(course_files(), SLUG)
    person = make_person(Role.MEMBER)
    db.session.commit()
    assert mark_lesson_done(person, course.lessons[0], utc_now())
    db.session.rollback()  # the request failed after marking the lesson
    assert db.session.scalar(select(func.count(LessonCompletion.id))) == 0


# --- One rollback for a service that refuses (lms.transaction.all_or_nothing) -------------

def test_a_refusal_after_a_partial_write_leaves_nothing_written(db):
    make_unit(code="KEPT")
    db.session.commit()
    with pytest.raises(LmsError), all_or_nothing():
        make_unit(code="HALF")  # written (flushed) ...
        raise LmsError("... then a rule is broken")
    # Nothing pending is left for the page drawn next, or for a later commit, to save.
    db.session.commit()
    assert list(db.session.scalars(select(Unit.code))) == ["KEPT"]


def test_course_files_with_problems_leave_nothing_written(db):
    with pytest.raises(ContentValidationError), all_or_nothing():
        make_unit(code="HALF")
        raise ContentValidationError([])
    db.session.commit()
    assert db.session.scalar(select(func.count(Unit.id))) == 0


def test_what_a_refusal_found_on_its_way_stands(db):
    class Found(LmsError):
        writes_stand = True

    with pytest.raises(Found), all_or_nothing():
        make_unit(code="CLOSED")
        raise Found("an overdue attempt was closed on the way")
    db.session.commit()
    assert list(db.session.scalars(select(Unit.code))) == ["CLOSED"]


def test_a_rename_and_a_refused_move_in_one_form_save_neither(client, db):
    admin = make_person(Role.ADMIN)
    province = make_unit("Province", kind="province")
    commune = make_unit("Commune", province)
    db.session.commit()
    login(client, admin.phone, PASSWORD)
    # The view renames first, then the move under its own commune is refused.
    response = post_form(client, f"/units/{province.id}", {
        "name": "Renamed", "kind": "province", "parent": str(commune.id)})
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "không thể" in page.lower()
    db.session.expire_all()
    unit = db.session.get(Unit, province.id)
    assert (unit.name, unit.parent_id) == ("Province", None)


def test_views_leave_the_rollback_to_all_or_nothing():
    """No `except LmsError:` branch rolls back by hand: all_or_nothing has done it."""
    family = {"LmsError", "NotFound", "ContentValidationError", "AttemptClosed", "StaleEdit",
              "RowRefused"}

    def caught(node: ast.expr | None) -> set[str]:
        if isinstance(node, ast.Tuple):
            return set().union(*(caught(element) for element in node.elts))
        if isinstance(node, ast.Name):
            return {node.id}
        return {node.attr} if isinstance(node, ast.Attribute) else set()

    by_hand = []
    package = Path(__file__).resolve().parent.parent / "lms"
    for path in sorted(set(package.rglob("*.py")) - {package / "transaction.py"}):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ExceptHandler) and caught(node.type) and \
                    caught(node.type) <= family and any(
                        "db.session.rollback()" in ast.unparse(stmt) for stmt in node.body):
                by_hand.append(f"{path.relative_to(package)}:{node.lineno}")
    assert not by_hand


def test_views_call_services_inside_all_or_nothing():
    """In views and commands, a `try` that turns a service's refusal into a message runs the
    service inside `with all_or_nothing():` (a lookup that only answers 404 needs none)."""
    family = {"LmsError", "ContentValidationError", "AttemptClosed", "StaleEdit", "RowRefused"}
    # Checks that write nothing: their refusal has nothing to undo.
    reads_only = {("authoring/views.py", "_problems")}
    package = Path(__file__).resolve().parent.parent / "lms"
    entry = [path for path in package.rglob("*.py")
             if path.stem in {"views", "cli", "bulk"} or path.stem.endswith("_views")]
    bare = []
    for path in sorted(entry):
        functions = [node for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
                     if isinstance(node, ast.FunctionDef)]
        tries = [(function.name, node) for function in functions
                 for node in ast.walk(function) if isinstance(node, ast.Try)]
        for function, node in tries:
            if (str(path.relative_to(package)), function) in reads_only:
                continue
            caught = {ast.unparse(handler.type).rsplit(".", 1)[-1].strip("()")
                      for handler in node.handlers if handler.type is not None}
            caught = {name.strip() for names in caught for name in names.split(",")}
            guarded = len(node.body) == 1 and isinstance(node.body[0], ast.With) and any(
                ast.unparse(item.context_expr) == "all_or_nothing()"
                for item in node.body[0].items)
            if caught & family and not guarded:
                bare.append(f"{path.relative_to(package)}:{node.lineno}")
    assert not bare
