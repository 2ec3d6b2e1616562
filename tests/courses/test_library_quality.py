"""The shipped library (course_content/) as a reviewer checks it (issue 18): it imports cleanly,
every question explains its answer, every course says when it was checked, illustration text is
readable on a 360 px phone, and every web address is an official one."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from lms.courses.content import ParsedCourse, parse_course_dir
from tests.courses.test_content import COURSE_CONTENT, SHIPPED

IDS = [folder.name for folder in SHIPPED]
PHONE_WIDTH = 360  # px: an illustration is shown this wide on the phones members use
MIN_TEXT_PX = 14  # smallest readable text at that width
DEFAULT_FONT_PX = 16.0  # a browser's "medium", used when an SVG sets no font-size
OFFICIAL_DOMAINS = COURSE_CONTENT / "OFFICIAL_DOMAINS.txt"
LOOKALIKE_DOMAINS = COURSE_CONTENT / "LOOKALIKE_DOMAINS.txt"

# Courses whose 2026-12 revision (issue 18) is written on another branch, by check: they are
# expected to fail it, strictly, so that the merge that revises a course fails here until its
# name is taken off the list.
_ALL_OLD = frozenset({
    "ban-hang-truc-tuyen", "phong-chong-lua-dao", "smartphone-co-ban",
    "thanh-toan-khong-tien-mat", "y-te-bao-hiem-so",
    "vneid-dinh-danh-dien-tu", "dich-vu-cong-truc-tuyen", "huong-dan-nguoi-dan",
})  # fmt: skip
AWAITING_REVISION = {
    "reviewed": _ALL_OLD,
    "explanations": _ALL_OLD,
    "svg text": _ALL_OLD - {"dich-vu-cong-truc-tuyen"},
    "addresses": frozenset(),
}


def _courses(awaiting: frozenset[str] = frozenset()) -> list:
    """The shipped course folders, those in `awaiting` marked as expected to fail."""
    return [pytest.param(folder, id=folder.name, marks=pytest.mark.xfail(
        strict=True, reason="revised on another branch (issue 18)"))
        if folder.name in awaiting else pytest.param(folder, id=folder.name)
        for folder in SHIPPED]


def _parsed(folder: Path) -> ParsedCourse:
    return parse_course_dir(folder)


# --- importing --------------------------------------------------------------------------------

def test_the_library_imports_cleanly_and_a_second_import_changes_nothing(runner, db):
    """On SQLite, and on PostgreSQL when LMS_TEST_DATABASE_URL is set (as CI does)."""
    first = runner.invoke(args=["lms", "import-content", str(COURSE_CONTENT)])
    assert first.exit_code == 0, first.output
    assert f"{len(SHIPPED)} created" in first.output
    again = runner.invoke(args=["lms", "import-content", str(COURSE_CONTENT)])
    assert again.exit_code == 0 and f"{len(SHIPPED)} unchanged" in again.output, again.output


def test_the_domain_list_beside_the_courses_is_not_taken_for_a_course():
    assert OFFICIAL_DOMAINS.is_file()
    assert COURSE_CONTENT / "OFFICIAL_DOMAINS.txt" not in SHIPPED


# --- quizzes and front matter -----------------------------------------------------------------

@pytest.mark.parametrize("folder", _courses(AWAITING_REVISION["explanations"]))
def test_every_question_explains_its_answer(folder):
    quiz = _parsed(folder).quiz
    assert quiz is not None, "every shipped course ends with a quiz"
    missing = [question.text.splitlines()[0] for question in quiz.questions
               if not question.explanation.strip()]
    assert missing == []


@pytest.mark.parametrize("folder", _courses(AWAITING_REVISION["reviewed"]))
def test_every_course_says_which_month_its_content_was_checked(folder):
    course = _parsed(folder)
    assert course.reviewed, "add reviewed: YYYY-MM to course.md"
    assert course.sources, "add the sources the facts were checked against to course.md"


# --- illustrations ----------------------------------------------------------------------------

def _number(text: str) -> float | None:
    match = re.fullmatch(r"\s*([0-9.]+)\s*(px)?\s*", text or "")
    return float(match.group(1)) if match else None


def _font_size(value: str, inherited: float) -> float:
    """A font-size in user units: a number, px, pt, em or a percentage of the parent's."""
    value = value.strip().lower()
    if match := re.fullmatch(r"([0-9.]+)(px|pt|em|%)?", value):
        size, unit = float(match.group(1)), match.group(2)
        return {"pt": size * 4 / 3, "em": size * inherited,
                "%": size * inherited / 100}.get(unit or "px", size)
    keywords = {"smaller": inherited / 1.2, "larger": inherited * 1.2, "medium": 16.0,
                "small": 13.0, "x-small": 10.0, "xx-small": 9.0}
    return keywords.get(value, 0.0)  # anything unknown counts as too small to be sure


def _declared_size(element: ET.Element, rules: dict[str, str]) -> str | None:
    """The font-size this element sets: style attribute, then attribute, then a <style> rule."""
    style = dict(part.split(":", 1) for part in element.get("style", "").split(";")
                 if ":" in part)
    style = {key.strip().lower(): value for key, value in style.items()}
    if "font-size" in style:
        return style["font-size"]
    if element.get("font-size") is not None:
        return element.get("font-size")
    tag = element.tag.rsplit("}", 1)[-1]
    for selector in [tag, *(f".{name}" for name in element.get("class", "").split())]:
        if selector in rules:
            return rules[selector]
    return rules.get("*")


def _style_rules(root: ET.Element) -> dict[str, str]:
    """font-size of simple selectors (text, .label, *) in the SVG's <style> sheets."""
    rules: dict[str, str] = {}
    for style in root.iter("{http://www.w3.org/2000/svg}style"):
        for selectors, body in re.findall(r"([^{}]+)\{([^}]*)\}", style.text or ""):
            if size := re.search(r"font-size\s*:\s*([^;]+)", body):
                for selector in selectors.split(","):
                    rules[selector.strip()] = size.group(1)
    return rules


def svg_text_sizes(data: bytes) -> list[tuple[str, float]]:
    """Each text of an SVG with its font-size in px when the SVG is drawn 360 px wide."""
    root = ET.fromstring(data)
    view_box = root.get("viewBox", "").replace(",", " ").split()
    width = float(view_box[2]) if len(view_box) == 4 else _number(root.get("width", ""))
    assert width, "the SVG needs a viewBox or a width in px"
    scale = PHONE_WIDTH / width
    rules = _style_rules(root)
    found: list[tuple[str, float]] = []

    def walk(element: ET.Element, inherited: float) -> None:
        declared = _declared_size(element, rules)
        size = _font_size(declared, inherited) if declared else inherited
        if element.tag.rsplit("}", 1)[-1] in ("text", "tspan") and (element.text or "").strip():
            found.append((element.text.strip(), size * scale))
        for child in element:
            walk(child, size)

    walk(root, DEFAULT_FONT_PX)
    return found


def test_the_text_size_check_scales_and_inherits():
    svg = (b'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 720 100">'
           b'<style>.small { font-size: 20px }</style>'
           b'<g font-size="28"><text>big</text><text font-size="50%">half</text>'
           b'<text class="small">styled</text><text style="font-size:2em">em</text></g>'
           b'<text>default</text></svg>')
    assert svg_text_sizes(svg) == [("big", 14.0), ("half", 7.0), ("styled", 10.0),
                                   ("em", 28.0), ("default", 8.0)]
    assert svg_text_sizes(b'<svg xmlns="http://www.w3.org/2000/svg" width="360">'
                          b'<text font-size="14">ok</text></svg>') == [("ok", 14.0)]


@pytest.mark.parametrize("folder", _courses(AWAITING_REVISION["svg text"]))
def test_illustration_text_is_at_least_14_px_on_a_360_px_screen(folder):
    small = [(svg.name, text, round(px, 1))
             for svg in sorted(folder.rglob("*.svg"))
             for text, px in svg_text_sizes(svg.read_bytes()) if px < MIN_TEXT_PX]
    assert small == []


# --- web addresses ----------------------------------------------------------------------------

ADDRESS = re.compile(r"https?://[^\s)<>\]\"'`]+", re.I)
# A bare domain such as dichvucong.gov.vn: labels then a top-level domain people meet in
# Vietnam. File names (anh.png, quiz.md) end differently and are not addresses.
BARE_DOMAIN = re.compile(
    r"(?<![\w@./-])((?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)+"
    r"(?:vn|com|net|org|gov|edu|info|io|me|app|link|top|xyz|online|site|shop|cc|ly|co))"
    r"(?![\w-])", re.I)


def domain_list(path: Path) -> set[str]:
    """The domains of a list file: one a line, '#' starts a comment."""
    lines = path.read_text(encoding="utf-8").splitlines()
    return {line.split("#", 1)[0].strip().lower() for line in lines
            if line.split("#", 1)[0].strip()}


def official_domains() -> set[str]:
    return domain_list(OFFICIAL_DOMAINS)


def web_hosts(text: str) -> set[str]:
    """Every host named in a text, as a full address or as a bare domain."""
    hosts = {(urlsplit(url).hostname or "").lower() for url in ADDRESS.findall(text)}
    without_urls = ADDRESS.sub(" ", text)
    return hosts | {match.lower() for match in BARE_DOMAIN.findall(without_urls)}


def is_official(host: str, allowed: set[str]) -> bool:
    return any(host == domain or host.endswith(f".{domain}") for domain in allowed)


def course_texts(folder: Path) -> list[tuple[str, str]]:
    """(where, text) for everything a reader sees: introduction, lessons, quiz, image text."""
    course = _parsed(folder)
    texts = [("course.md", course.intro), ("course.md summary", course.summary)]
    texts += [(lesson.filename, f"{lesson.title}\n{lesson.body}") for lesson in course.lessons]
    if course.quiz is not None:
        texts.append(("quiz.md", course.quiz.intro))
        for question in course.quiz.questions:
            options = [option.text for option in question.options]
            answers = [answer.text for answer in question.answers]
            texts.append(("quiz.md", "\n".join([question.text, *options, *answers,
                                                question.explanation])))
    for svg in sorted(folder.rglob("*.svg")):
        texts.append((svg.name, " ".join(ET.fromstring(svg.read_bytes()).itertext())))
    return texts


def test_the_address_finder_finds_addresses_and_not_file_names():
    text = ("Vào https://dichvucong.gov.vn/p/home hoặc vneid.gov.vn, không vào "
            "dichvucong-gov.top. Ảnh: images/a.png, tệp quiz.md, thư a@b.vn, đuôi .gov.vn")
    assert web_hosts(text) == {"dichvucong.gov.vn", "vneid.gov.vn", "dichvucong-gov.top"}
    allowed = {"chinhphu.vn"}
    assert is_official("vanban.chinhphu.vn", allowed)
    assert not is_official("chinhphu.vn.evil.top", allowed)
    assert not is_official("fakechinhphu.vn", allowed)


def test_the_domain_lists_hold_domains_only_and_no_lookalike_is_official():
    official, lookalikes = official_domains(), domain_list(LOOKALIKE_DOMAINS)
    for domain in official | lookalikes:
        assert re.fullmatch(r"[a-z0-9-]+(\.[a-z0-9-]+)+", domain), domain
    assert [domain for domain in lookalikes if is_official(domain, official)] == []


@pytest.mark.parametrize("folder", _courses(AWAITING_REVISION["addresses"]))
def test_every_web_address_is_on_the_official_list(folder):
    """Look-alike domains (wrong answers, scam examples) may be named, never as a link."""
    allowed, lookalikes = official_domains(), domain_list(LOOKALIKE_DOMAINS)
    unofficial = sorted({(where, host) for where, text in course_texts(folder)
                         for host in web_hosts(text)
                         if not is_official(host, allowed) and host not in lookalikes})
    assert unofficial == [], "add the domain to course_content/OFFICIAL_DOMAINS.txt only " \
                             "if it is official, else take it out of the content"
    linked = sorted({(where, url) for where, text in course_texts(folder)
                     for url in ADDRESS.findall(text)
                     if (urlsplit(url).hostname or "").lower() in lookalikes})
    assert linked == [], "write a look-alike domain bare, never as a link"
