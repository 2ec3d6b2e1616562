"""Which lesson section a quiz question comes from, found by the words they share.

Pure: no database, no Flask. A question names no lesson in quiz.md, so the result page matches
its words (text, right answers and explanation) against every section of the course's lessons:
the headings and the lesson title count more than the text under them, and words that many
sections use (VNeID in a VNeID course) count little. Vietnamese words are mostly two
syllables, so pairs of neighbouring syllables count as well as single ones. A question whose
best section shares too little with it gets no link rather than a wrong one.
"""

from __future__ import annotations

import html
import math
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

_HEADING = re.compile(r"<h([23])\b[^>]*\bid=\"([^\"]+)\"[^>]*>(.*?)</h\1>", re.S | re.I)
_TAG = re.compile(r"<[^>]+>")
_WORD = re.compile(r"\w+")

# A heading or title word counts this many times more than a word of the text under it.
HEADING_WEIGHT = 3.0
# Pairs of syllables ("mật khẩu") say more than one syllable ("mật").
PAIR_WEIGHT = 2.0
# The explanation's words count this much: it also speaks of the wrong answers.
EXPLANATION_WEIGHT = 0.5
# A section scoring below this, or sharing fewer different words than MIN_WORDS with the
# question, is a guess, and no link is better than a wrong one.
MIN_SCORE = 4.0
MIN_WORDS = 2


@dataclass(frozen=True)
class Section:
    """A part of a lesson under one heading (anchor "" for the text before the first one)."""

    lesson_slug: str
    lesson_title: str
    anchor: str
    heading: str
    text: str


def plain_text(fragment: str) -> str:
    """The words of an HTML fragment, tags dropped and entities decoded."""
    return html.unescape(_TAG.sub(" ", fragment))


def sections_of(lesson_slug: str, lesson_title: str, body_html: str) -> list[Section]:
    """The lesson cut at its level-2 and level-3 headings (which carry ids)."""
    sections, start, anchor, heading = [], 0, "", ""
    for match in _HEADING.finditer(body_html):
        sections.append(Section(lesson_slug, lesson_title, anchor, heading,
                                plain_text(body_html[start:match.start()])))
        anchor, heading, start = match.group(2), plain_text(match.group(3)), match.end()
    sections.append(Section(lesson_slug, lesson_title, anchor, heading,
                            plain_text(body_html[start:])))
    return [s for s in sections if s.heading or s.text.strip()]


def _terms(text: str) -> Counter[str]:
    """Syllables and pairs of neighbouring syllables, lowercased (diacritics kept: "mã" is
    not "má")."""
    words = _WORD.findall(unicodedata.normalize("NFC", text).casefold())
    terms = Counter(words)
    terms.update(f"{a} {b}" for a, b in zip(words, words[1:], strict=False))
    return terms


def _weight(term: str) -> float:
    return PAIR_WEIGHT if " " in term else 1.0


@dataclass(frozen=True)
class SectionIndex:
    """The sections of a course's lessons, ready to be matched against questions."""

    sections: tuple[Section, ...]
    heading_terms: tuple[frozenset[str], ...]
    text_terms: tuple[Counter[str], ...]
    idf: dict[str, float]


def build_index(sections: Iterable[Section]) -> SectionIndex:
    """Count the words of every section once, for any number of questions."""
    sections = tuple(sections)
    heading_terms = tuple(frozenset(_terms(f"{s.lesson_title} {s.heading}")) for s in sections)
    text_terms = tuple(_terms(s.text) for s in sections)
    frequency: Counter[str] = Counter()
    for heading, text in zip(heading_terms, text_terms, strict=True):
        frequency.update(heading | text.keys())
    count = len(sections)
    idf = {term: math.log((count + 1) / (seen + 0.5)) for term, seen in frequency.items()}
    return SectionIndex(sections, heading_terms, text_terms, idf)


def _score(index: SectionIndex, position: int, question: dict[str, float]) -> float:
    heading, text = index.heading_terms[position], index.text_terms[position]
    # Longer sections hold more words by chance: damp the text's share by its length.
    length = sum(text.values()) or 1
    damping = 1 / math.sqrt(max(length, 40) / 40)
    score, words = 0.0, 0
    for term, strength in question.items():
        idf = index.idf.get(term, 0.0)
        if idf <= 0 or (term not in heading and term not in text):
            continue
        words += " " not in term
        if term in heading:
            score += strength * HEADING_WEIGHT * _weight(term) * idf
        if term in text:
            score += strength * damping * _weight(term) * idf * min(text[term], 3) ** 0.5
    # One shared word ("gì" in "VNeID là gì?") is chance, not a topic.
    return score if words >= MIN_WORDS else 0.0


def best_section(index: SectionIndex, asked: str, explained: str = "") -> Section | None:
    """The section that shares the most telling words with the question (`asked`: its text
    and right answers; `explained`: its explanations, which also name the wrong answers and
    so count half), or None."""
    if not index.sections:
        return None
    question = dict.fromkeys(_terms(explained), EXPLANATION_WEIGHT)
    question.update(dict.fromkeys(_terms(asked), 1.0))
    scores = [_score(index, position, question) for position in range(len(index.sections))]
    best = max(range(len(scores)), key=scores.__getitem__)
    return index.sections[best] if scores[best] >= MIN_SCORE else None
