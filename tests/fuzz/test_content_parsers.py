"""Generated course folders, quiz files and GIFT files: the parsers only ever raise their one
validation error, and whatever they accept survives a round trip."""

from __future__ import annotations

import copy

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
    file_path,
    front_matter,
    fuzz_settings,
    image_bytes,
    markdown_text,
    nasty_text,
)

QUESTION_LINES = ("- [ ] Sai", "- [x] Đúng", "- [X] Cũng đúng", "* [ ] Khác", "- [ ] Sai",
                  "= 113", "~= Bộ Công an", "=", "> Giải thích", "", "text", "- [y] odd")


@st.composite
def quiz_texts(draw: st.DrawFn) -> str:
    """quiz.md text: front matter, an intro, then questions made of likely and unlikely lines."""
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


@st.composite
def course_folders(draw: st.DrawFn) -> tuple[str, dict[str, bytes]]:
    """A slug and a file map: course.md, lessons, maybe a quiz, images and odd extra files."""
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


@fuzz_settings(250)
@given(course_folders())
@example(("a", {"course.md": b"---\ntitle: x\nminutes: 2026-02-30\n---\n",
                "01-a.md": b"---\ntitle: a\n---\n"}))
@example(("a", {"course.md": b"---\ntitle: [" + b"[" * 3000 + b"\n---\n"}))
def test_course_parser_raises_only_its_validation_error(folder: tuple[str, dict[str, bytes]]):
    slug, files = folder
    before = copy.deepcopy(files)
    try:
        course = parse_course_files(slug, files)
    except ContentValidationError as error:
        assert error.errors, "a validation error names at least one problem"
        assert all(problem.line >= 1 for problem in error.errors)
    else:
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
