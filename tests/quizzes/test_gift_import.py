"""`lms import-gift`: GIFT questions join the course's quiz and come out in export-content."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select

from lms.courses.content import parse_course_dir
from lms.courses.models import Course
from tests.courses.test_content import SLUG, course_files
from tests.factories import make_course

SAMPLES = Path(__file__).parent / "gift_samples"


def test_gift_questions_are_added_reported_and_exported(runner, db, tmp_path):
    make_course(course_files({"quiz.md": None}), SLUG)
    db.session.commit()
    gift = SAMPLES / "moodle_docs.gift"
    result = runner.invoke(args=["lms", "import-gift", str(gift), "--course", "vneid-co-ban"])
    assert result.exit_code == 0, result.output
    assert "Đã thêm 7 câu hỏi; 0 câu đã có trong bài kiểm tra; bỏ qua 4 câu." in result.output
    assert f"{gift}:19: bỏ qua (Q4): chưa hỗ trợ câu hỏi ghép đôi" in result.output
    course = db.session.scalar(select(Course))
    texts = [q.text_md for q in course.quiz.questions]
    assert any("VNeID" in text for text in texts)
    kinds = {q.kind for q in course.quiz.questions}
    assert {"single", "short"} <= kinds
    out = tmp_path / "out"
    assert runner.invoke(args=["lms", "export-content", "vneid-co-ban", str(out)]).exit_code == 0
    exported = parse_course_dir(out / "vneid-co-ban")
    assert [q.text for q in exported.quiz.questions] == texts
    again = runner.invoke(args=["lms", "import-gift", str(gift), "--course", "vneid-co-ban"])
    assert "Đã thêm 0 câu hỏi; 7 câu đã có trong bài kiểm tra; bỏ qua 4 câu." in again.output
    assert f"{gift}:5: đã có trong bài kiểm tra ở câu 1" in again.output
    db.session.expire_all()
    assert len(db.session.scalar(select(Course)).quiz.questions) == len(texts)


def test_gift_import_refuses_unknown_course_and_useless_files(runner, db, tmp_path):
    make_course(course_files(), SLUG)
    db.session.commit()
    gift = tmp_path / "bad.gift"
    gift.write_text("::Essay:: Viết một đoạn văn. {}\n", encoding="utf-8")
    assert runner.invoke(args=["lms", "import-gift", str(gift), "--course", "nope"]).exit_code
    result = runner.invoke(args=["lms", "import-gift", str(gift), "--course", "vneid-co-ban"])
    assert result.exit_code != 0 and "bad.gift:1" in result.output
