"""Generated course folders, quiz files and GIFT files: the parsers only ever raise their one
validation error, and whatever they accept survives a round trip."""

from __future__ import annotations

import copy
import dataclasses
from collections.abc import Iterator

import yaml
from hypothesis import example, given
from hypothesis import strategies as st

from lms.courses.content import (
    COURSE_KEYS,
    LESSON_KEYS,
    ContentValidationError,
    parse_course_files,
    parse_quiz,
    serialise_course,
)
from lms.courses.quiz_format import QUIZ_KEYS, ParsedQuiz, serialise_quiz
from lms.quizzes.gift import parse_gift
from tests.fuzz.strategies import (
    HTML_SNIPPETS,
    MARKDOWN_LINES,
    PNG,
    file_path,
    front_matter,
    fuzz_settings,
    image_bytes,
    markdown_text,
    nasty_text,
)

QUESTION_LINES = ("- [ ] Sai", "- [x] Đúng", "- [X] Cũng đúng", "* [ ] Khác", "- [ ] Sai",
                  "= 113", "~= Bộ Công an", "=", "> Giải thích", "", "text", "- [y] odd")


# One line of text that quiz.md and course.md accept anywhere: Markdown, HTML, Vietnamese.
line_text = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=["Cc", "Cs", "Zl",
                                                                              "Zp"]),
                    min_size=1, max_size=30).map(str.strip).filter(bool)


@st.composite
def valid_quizzes(draw: st.DrawFn) -> str:
    """quiz.md text that should be accepted: well-formed questions of every kind."""
    parts = [draw(st.sampled_from(["", "---\ntitle: Kiểm tra\n---\n",
                                   "---\npass_mark: 70\nshuffle: false\nmax_attempts: 3\n---\n"]))]
    for _ in range(draw(st.integers(1, 4))):
        lines = [f"## {draw(line_text)}", ""]
        kind = draw(st.sampled_from(["single", "multiple", "short"]))
        if kind == "short":
            lines += [f"{draw(st.sampled_from(['=', '~=']))} {draw(line_text)}"
                      for _ in range(draw(st.integers(1, 3)))]
        else:
            texts = draw(st.lists(line_text, min_size=2, max_size=5,
                                  unique_by=lambda t: " ".join(t.casefold().split())))
            right = draw(st.integers(1, len(texts) if kind == "multiple" else 1))
            lines += [f"- [{'x' if i < right else ' '}] {t}" for i, t in enumerate(texts)]
        if draw(st.booleans()):
            lines += ["", f"> {draw(line_text)}"]
        parts.append("\n".join(lines) + "\n")
    return "\n".join(parts)


@st.composite
def quiz_texts(draw: st.DrawFn) -> str:
    """quiz.md text: front matter, an intro, then questions made of likely and unlikely lines."""
    if draw(st.booleans()):
        return draw(valid_quizzes())
    questions = []
    for _ in range(draw(st.integers(0, 5))):
        heading = draw(st.one_of(st.just("## "), st.just("##"), st.just("  ## "),
                                 st.just("### "), st.just("## ## ")))
        lines = draw(st.lists(st.one_of(st.sampled_from(QUESTION_LINES), nasty_text),
                              max_size=8))
        questions.append("\n".join([heading + draw(nasty_text), *lines]))
    intro = draw(markdown_text)
    return draw(front_matter(QUIZ_KEYS)) + intro + "\n" + "\n\n".join(questions)


def document(draw: st.DrawFn, keys: tuple[str, ...]) -> bytes:
    text = draw(front_matter(keys)) + draw(markdown_text)
    encoding = draw(st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "bytes"]))
    if encoding == "bytes":
        return draw(st.binary(max_size=60))
    return text.replace("\n", draw(st.sampled_from(["\n", "\r\n", "\r"]))).encode(
        encoding, errors="surrogatepass")


COURSE_VALUES = ("summary: Tóm tắt", "tags: [vneid, an-toan]", "level: advanced", "minutes: 45",
                 "pass_mark: 90", "certificate_valid_months: 24", "version: 2026.10",
                 "requires_recertification: true", "visibility: members", "required: true")
# Body lines with no relative link, so that a folder built from them can be accepted.
body_line = st.one_of(st.sampled_from(MARKDOWN_LINES[:-2]), st.sampled_from(HTML_SNIPPETS),
                      line_text, st.just("![Ảnh](images/a.png) [web](https://example.com)"))


@st.composite
def valid_folders(draw: st.DrawFn) -> tuple[str, dict[str, bytes]]:
    """A course folder that should be accepted, with odd but legal content."""
    values = draw(st.lists(st.sampled_from(COURSE_VALUES), unique=True, max_size=5))
    body = st.lists(body_line, max_size=10).map("\n".join)
    title = yaml.safe_dump({"title": draw(line_text)}, allow_unicode=True, width=10_000).strip()
    files = {"course.md": "\n".join(["---", title, *values, "---", draw(body)]).encode(),
             "images/a.png": PNG + draw(st.binary(max_size=20))}
    for number in range(1, draw(st.integers(1, 4)) + 1):
        lesson = f"---\ntitle: Bài {number}\n---\n{draw(body)}"
        files[f"{number:02d}-bai-{number}.md"] = lesson.encode()
    if draw(st.booleans()):
        files["quiz.md"] = draw(valid_quizzes()).encode()
    return draw(st.sampled_from(["vneid-co-ban", "a", "a1-b2"])), files


@st.composite
def course_folders(draw: st.DrawFn) -> tuple[str, dict[str, bytes]]:
    """A slug and a file map: course.md, lessons, maybe a quiz, images and odd extra files."""
    if draw(st.booleans()):
        return draw(valid_folders())
    slug = draw(st.one_of(st.sampled_from(["vneid-co-ban", "a", "a1-b2"]), nasty_text))
    files: dict[str, bytes] = {}
    if draw(st.integers(0, 9)):
        files["course.md"] = document(draw, COURSE_KEYS)
    for number in range(draw(st.integers(0, 4))):
        name = draw(st.one_of(st.just(f"{number + 1:02d}-bai-{number}.md"), file_path))
        files[name] = document(draw, LESSON_KEYS)
    if draw(st.booleans()):
        files["quiz.md"] = draw(quiz_texts()).encode("utf-8", errors="surrogatepass")
    for _ in range(draw(st.integers(0, 3))):
        files[draw(file_path)] = draw(image_bytes)
    return slug, files


def strings(value: object) -> Iterator[str]:
    """Every text held by a parsed course, quiz or question."""
    if isinstance(value, str):
        yield value
    elif dataclasses.is_dataclass(value):
        for item in dataclasses.fields(value):
            yield from strings(getattr(value, item.name))
    elif isinstance(value, tuple):
        for item in value:
            yield from strings(item)


@fuzz_settings(250)
@given(course_folders())
@example(("a", {"course.md": b"---\ntitle: x\nminutes: 2026-02-30\n---\n",
                "01-a.md": b"---\ntitle: a\n---\n"}))
@example(("a", {"course.md": b"---\ntitle: [" + b"[" * 3000 + b"\n---\n"}))
@example(("a", {"course.md": b"---\ntitle: a\n---\n\x00", "01-a.md": b"---\ntitle: a\n---\n",
                "images/\x00.png": b"\x89PNG\r\n\x1a\n"}))
def test_course_parser_raises_only_its_validation_error(app, folder: tuple[str, dict[str, bytes]]):
    slug, files = folder
    before = copy.deepcopy(files)
    try:
        course = parse_course_files(slug, files)
    except ContentValidationError as error:
        assert error.errors, "a validation error names at least one problem"
        assert all(problem.line >= 1 for problem in error.errors)
        with app.app_context():  # every reason reads in Vietnamese, whatever it quotes
            assert all(str(problem).startswith(problem.file) for problem in error.errors)
    else:
        assert not any("\x00" in text for text in strings(course)), "PostgreSQL cannot store NUL"
        assert all(asset.path.isprintable() for asset in course.assets)
        again = parse_course_files(slug, serialise_course(course))
        assert again == course
    assert files == before, "the parser is pure: it never changes its input"


@fuzz_settings(300)
@given(quiz_texts())
@example("---\npass_mark: !!int foo\n---\n## Q\n- [x] a\n- [ ] b\n")
def test_quiz_parser_raises_only_its_validation_error(text: str):
    try:
        quiz = parse_quiz(text, "quiz.md")
    except ContentValidationError as error:
        assert error.errors and all(problem.line >= 1 for problem in error.errors)
    else:
        assert isinstance(quiz, ParsedQuiz) and quiz.questions
        assert parse_quiz(serialise_quiz(quiz), "quiz.md") == quiz


GIFT_TOKENS = ("::Tiêu đề::", "::", "{", "}", "=", "~", "%50%", "%-100%", "%33.33333%", "#",
               "####", "->", "\\:", "\\{", "\\}", "\\=", "\\~", "\\#", "\\n", "\\\\", "[html]",
               "[markdown]", "[moodle]", "<p>", "</p>", "<br>", "<script>x</script>", "T",
               "F", "TRUE", "FALSE", "*", "$CATEGORY: a/b", "// comment", "\n", "\n\n", " ",
               "{#", "{}", "{T}", "{=a ~b}", "{=a =b}", "{~a ~b}", "{=a -> b}", "1..2", "2:3")


@st.composite
def gift_texts(draw: st.DrawFn) -> str:
    tokens = draw(st.lists(st.one_of(st.sampled_from(GIFT_TOKENS), nasty_text), max_size=40))
    prefix = draw(st.sampled_from(["", "\ufeff"]))
    return prefix + "".join(tokens).replace("\n", draw(st.sampled_from(["\n", "\r\n", "\r"])))


@fuzz_settings(300)
@given(gift_texts())
@example("::a::Q {=1. ~2.}\n\n{=}\n\n{T#x#y}\n\n%%{%100%a}")
def test_gift_import_never_raises_and_converts_to_valid_quiz_md(text: str):
    result = parse_gift(text)
    assert all(item.line >= 1 and item.reason for item in result.skipped)
    if result.questions:
        quiz = ParsedQuiz("", None, None, True, 0, None, result.questions, "")
        assert parse_quiz(serialise_quiz(quiz), "quiz.md").questions == result.questions
