"""A lesson's recording: checked by content, imported and exported, played on the lesson page,
uploaded in the editor."""

from __future__ import annotations

import io
import re
import wave
from pathlib import Path

import pytest
from sqlalchemy import select

from lms.authoring.models import DraftFile
from lms.courses.assets import MAX_AUDIO_BYTES, audio_media_type
from lms.courses.audio import audio_seconds, duration_label
from lms.courses.models import Asset, Course
from lms.people.models import Role
from tests.conftest import login, post_form
from tests.courses.test_content import SLUG, course_files, errors_of, write_course
from tests.factories import PASSWORD, make_person
from tests.quizzes import test_attempts
from tests.quizzes.test_attempts import quiz_md

course_with = test_attempts.course_with  # the fixture

LESSON = "---\ntitle: VNeID là gì?\naudio: audio/01-vneid-la-gi.mp3\n---\nXem hướng dẫn.\n"


def mp3(seconds: float) -> bytes:
    """MPEG-1 layer III frames (128 kbit/s, 44.1 kHz) of silence."""
    frame = b"\xff\xfb\x90\x00" + b"\x00" * (417 - 4)
    return b"ID3\x04\x00\x00\x00\x00\x00\x00" + frame * round(seconds * 44100 / 1152)


def wav(seconds: float) -> bytes:
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(1)
        out.setframerate(8000)
        out.writeframes(b"\x80" * int(8000 * seconds))
    return buffer.getvalue()


def with_audio(data: bytes = b"", lesson: str = LESSON,
               path: str = "audio/01-vneid-la-gi.mp3") -> dict[str, str | bytes]:
    return course_files({"01-vneid-la-gi.md": lesson, path: data or mp3(65)})


def test_recordings_are_told_by_their_content_and_lengths_read():
    assert audio_media_type(mp3(2)) == "audio/mpeg"
    assert audio_media_type(mp3(2)[10:]) == "audio/mpeg"  # frames without a tag
    assert audio_media_type(wav(1)) == "audio/wav"
    assert audio_media_type(b"OggS\x00\x02" + b"\x00" * 30) == "audio/ogg"
    assert audio_media_type(b"\x00\x00\x00\x20ftypM4A \x00\x00\x00\x00") == "audio/mp4"
    assert audio_media_type(b"\xff\xf1\x50\x80\x00\x1f\xfc") == "audio/aac"
    assert audio_media_type(b"\x00\x00\x00\x18ftypheic\x00\x00") is None  # a photo
    assert audio_media_type(b"\xff\xd8\xff\xe0JFIF") is None
    assert audio_seconds(mp3(65)) == 65 and audio_seconds(wav(125)) == 125
    assert audio_seconds(b"ID3 not really") is None
    assert [duration_label(s) for s in (None, 5, 65, 3725)] == ["", "0:05", "1:05", "1:02:05"]


@pytest.mark.parametrize(("files", "where", "reason"), [
    (course_files({"01-vneid-la-gi.md": LESSON}), 3,
     "audio file 'audio/01-vneid-la-gi.mp3' is not in the course folder"),
    (with_audio(b"not a recording at all"), 3,
     "'audio/01-vneid-la-gi.mp3' is not a usable recording"),
    (with_audio(lesson=LESSON.replace("audio/01-vneid-la-gi.mp3", "images/a.png")), 3,
     "'images/a.png' is not a usable recording"),
    (with_audio(lesson=LESSON.replace("audio/", "../audio/")), 3,
     "audio must be a path inside the course folder"),
])
def test_a_missing_or_bad_recording_is_refused_with_file_and_line(files, where, reason):
    errors = errors_of(files)
    lesson_errors = [e for e in errors if e.file == f"{SLUG}/01-vneid-la-gi.md"]
    assert [(e.line, str(e.reason)[:len(reason)]) for e in lesson_errors] == [(where, reason)]


def test_the_recording_itself_is_checked_and_capped():
    errors = errors_of(with_audio(b"<html>not sound</html>"))
    assert (f"{SLUG}/audio/01-vneid-la-gi.mp3", 1) in [(e.file, e.line) for e in errors]
    assert any("not an MP3, M4A, AAC, Ogg or WAV recording" in str(e.reason) for e in errors)
    too_long = mp3(0.1) + b"\x00" * MAX_AUDIO_BYTES
    errors = errors_of(with_audio(too_long))
    assert any(str(e.reason) == "recording is larger than 15 MB" for e in errors)


def test_import_export_round_trip_keeps_the_recording(runner, db, tmp_path: Path):
    folder = write_course(tmp_path / "in", with_audio(mp3(65)))
    result = runner.invoke(args=["lms", "import-content", str(folder)])
    assert result.exit_code == 0, result.output
    course = db.session.scalar(select(Course))
    lesson = course.lessons[0]
    assert (lesson.audio, lesson.audio_seconds) == ("audio/01-vneid-la-gi.mp3", 65)
    assert db.session.scalar(select(Asset.media_type).where(
        Asset.path == "audio/01-vneid-la-gi.mp3")) == "audio/mpeg"
    result = runner.invoke(args=["lms", "export-content", SLUG, str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    out = tmp_path / "out" / SLUG
    assert (out / "audio/01-vneid-la-gi.mp3").read_bytes() == mp3(65)
    assert "audio: audio/01-vneid-la-gi.mp3" in (out / "01-vneid-la-gi.md").read_text()
    again = runner.invoke(args=["lms", "import-content", str(out)])
    assert "1 unchanged" in again.output, again.output


def test_the_lesson_page_plays_the_recording_and_shows_its_length(client, runner, db, tmp_path):
    runner.invoke(args=["lms", "import-content", str(write_course(tmp_path, with_audio()))])
    page = client.get(f"/courses/{SLUG}/vneid-la-gi").get_data(as_text=True)
    assert (f'<audio controls preload="none" src="/courses/{SLUG}/assets/audio/'
            '01-vneid-la-gi.mp3">') in page
    assert "1:05" in page
    assert "data-read-aloud" not in page  # the recording replaces the phone's voice
    other = client.get(f"/courses/{SLUG}/cai-dat").get_data(as_text=True)
    assert "<audio" not in other
    assert re.search(r'<div class="read-aloud" data-read-aloud="lesson-title lesson-text" '
                     r'hidden>', other)
    assert re.search(r"js/read-aloud\.[0-9a-f]{12}\.js", other)
    served = client.get(f"/courses/{SLUG}/assets/audio/01-vneid-la-gi.mp3")
    assert served.mimetype == "audio/mpeg" and served.data == mp3(65)
    part = client.get(f"/courses/{SLUG}/assets/audio/01-vneid-la-gi.mp3",
                      headers={"Range": "bytes=10-19"})
    assert part.status_code == 206 and part.data == mp3(65)[10:20]


@pytest.fixture()
def author(client, db):
    trainer = make_person(Role.TRAINER)
    db.session.commit()
    login(client, trainer.phone, PASSWORD)
    return client


def _revision(client, path: str) -> str:
    page = client.get(path).get_data(as_text=True)
    return re.search(r'name="revision" type="hidden" value="(\d+)"', page).group(1)


def _save(client, path: str, **extra: object):  # noqa: ANN202
    data = {"title": "VNeID là gì?", "body": "Xem hướng dẫn.", "action": "save",
            "revision": _revision(client, path), **extra}
    return post_form(client, path, data, content_type="multipart/form-data")


def test_the_editor_uploads_a_recording_and_publishes_it(author, runner, db, tmp_path):
    runner.invoke(args=["lms", "import-content", str(write_course(tmp_path, course_files()))])
    post_form(author, f"/author/courses/{SLUG}/edit", {})
    path = f"/author/{SLUG}/lessons/01-vneid-la-gi.md"
    refused = _save(author, path, audio=(io.BytesIO(b"GIF89a a picture"), "bai.mp3"))
    assert refused.status_code == 200
    assert "không phải bản ghi âm mà hệ thống phát được" in refused.get_data(as_text=True)
    response = _save(author, path, audio=(io.BytesIO(wav(3)), "ghi âm.wav"))
    assert response.status_code == 302, response.get_data(as_text=True)
    files = {f.path: f for f in db.session.scalars(select(DraftFile))}
    assert files["audio/vneid-la-gi.wav"].data == wav(3)
    assert "audio: audio/vneid-la-gi.wav" in files["01-vneid-la-gi.md"].text
    editor = author.get(path).get_data(as_text=True)
    assert f'src="/author/{SLUG}/assets/audio/vneid-la-gi.wav"' in editor
    saved_again = _save(author, path)  # saving the text keeps the recording
    assert saved_again.status_code == 302
    published = post_form(author, f"/author/{SLUG}/publish",
                          {"version": "2026.11", "note": "Thêm bài nghe."})
    assert published.status_code == 302
    page = author.get(f"/courses/{SLUG}/vneid-la-gi").get_data(as_text=True)
    assert f'src="/courses/{SLUG}/assets/audio/vneid-la-gi.wav"' in page and "0:03" in page


def test_the_editor_removes_a_recording_no_lesson_names(author, runner, db, tmp_path):
    runner.invoke(args=["lms", "import-content", str(write_course(tmp_path, with_audio()))])
    post_form(author, f"/author/courses/{SLUG}/edit", {})
    path = f"/author/{SLUG}/lessons/01-vneid-la-gi.md"
    assert _save(author, path, remove_audio="y").status_code == 302
    files = {f.path: f for f in db.session.scalars(select(DraftFile))}
    assert "audio/01-vneid-la-gi.mp3" not in files
    assert "audio:" not in files["01-vneid-la-gi.md"].text


def test_each_quiz_question_screen_offers_listen_to_the_question(client, course_with, db):
    person = make_person()
    db.session.commit()
    login(client, person.phone, PASSWORD)
    course = course_with(quiz_md(2))
    url = post_form(client, f"/courses/{course.slug}/quiz/start", {}).headers["Location"]
    page = client.get(url).get_data(as_text=True)
    control = re.search(r'<fieldset class="question" id="(question-\d+)">.*?</fieldset>\s*'
                        r'<div class="read-aloud" data-read-aloud="(question-\d+)" hidden>',
                        page, re.S)
    assert control and control.group(1) == control.group(2)
    assert "Nghe câu hỏi" in page and "Dừng đọc" in page
    assert re.search(r"js/read-aloud\.[0-9a-f]{12}\.js", page)
