"""Question analysis for trainers: how often each question is answered right, how often each
option is chosen, and how well the question separates strong attempts from weak ones."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import case, func, select
from sqlalchemy.sql.elements import ColumnElement

from lms.courses.models import Course
from lms.extensions import db
from lms.quizzes.content_models import Question
from lms.quizzes.grading import normalise_answer
from lms.quizzes.models import Attempt, AttemptOption, AttemptQuestion
from lms.quizzes.question_types import CHOICE_KINDS, TYPED_KINDS, type_of
from lms.quizzes.services import question_key

# The classic item-analysis groups: the top and bottom 27 % of attempts by score.
GROUP_PERCENT = 27
MISSED_BY_MOST = 0.5  # flag questions that fewer than half of the attempts get right
MIN_ANSWERS_TO_FLAG = 5


@dataclass(frozen=True)
class OptionShare:
    """One option of a choice question and how many answers chose it."""

    text_html: str
    correct: bool
    chosen: int
    answered: int  # answers to the question: the share's denominator

    @property
    def percent(self) -> int:
        """Whole percentage of the answers that chose this option (halves up); on a
        multiple-choice question the shares add up to more than 100."""
        return (200 * self.chosen + self.answered) // (2 * self.answered) if self.answered else 0


@dataclass(frozen=True)
class QuestionStats:
    question_key: str
    text_html: str
    answered: int
    correct: int
    common_wrong_answer: str | None
    common_wrong_count: int
    discrimination: float | None  # share right in the top group minus the bottom group
    in_current_quiz: bool
    # Typed answers marked wrong, most common first: a trainer may accept a variant.
    wrong_typed_answers: tuple[tuple[str, int], ...] = ()
    # Every option of a choice question, in the current quiz's order, with its share.
    options: tuple[OptionShare, ...] = ()
    # Answers from the top and bottom groups of attempts (the same size, 27 % rounded up).
    upper_answered: int = 0
    lower_answered: int = 0

    @property
    def correct_share(self) -> float:
        return self.correct / self.answered if self.answered else 0.0

    @property
    def correct_percent(self) -> int:
        return round(100 * self.correct_share)

    @property
    def flagged(self) -> bool:
        return self.answered >= MIN_ANSWERS_TO_FLAG and self.correct_share < MISSED_BY_MOST


def _ranked_attempts(course: Course):  # noqa: ANN202
    """Submitted attempts with their rank by score, to form top and bottom groups."""
    return (
        select(Attempt.id.label("attempt_id"),
               func.row_number().over(order_by=(Attempt.percent, Attempt.id)).label("rank"),
               func.count().over().label("total"))
        .where(Attempt.course_id == course.id, Attempt.submitted_at.is_not(None))
        .subquery())


def group_size(total: ColumnElement) -> ColumnElement:
    """SQL: 27 % of `total` attempts rounded up, as an integer on SQLite and PostgreSQL (`/`
    would be true division: 2.7 groups make a bottom group of 2 and a top group of 3)."""
    return (total * GROUP_PERCENT + 99) // 100


def question_analysis(course: Course) -> tuple[int, list[QuestionStats]]:
    """Number of submitted attempts, and statistics per question: the current quiz's questions
    in its order (those no attempt has answered yet too), then questions no longer in it."""
    ranked = _ranked_attempts(course)
    group = group_size(ranked.c.total)
    lower = ranked.c.rank <= group
    upper = ranked.c.rank > ranked.c.total - group
    right = AttemptQuestion.correct.is_(True)
    rows = db.session.execute(
        select(AttemptQuestion.question_key,
               func.max(AttemptQuestion.id),
               func.count(),
               func.sum(case((right, 1), else_=0)),
               func.sum(case((upper, 1), else_=0)),
               func.sum(case((upper & right, 1), else_=0)),
               func.sum(case((lower, 1), else_=0)),
               func.sum(case((lower & right, 1), else_=0)))
        .join(ranked, ranked.c.attempt_id == AttemptQuestion.attempt_id)
        .group_by(AttemptQuestion.question_key)).all()
    attempts = db.session.scalar(select(func.count()).select_from(ranked)) or 0
    texts = dict(db.session.execute(
        select(AttemptQuestion.id, AttemptQuestion.text_html)
        .where(AttemptQuestion.id.in_([row[1] for row in rows]))).all())
    wrong, typed = _common_wrong_answers(course)
    questions = {question_key(q): q for q in course.quiz.questions} if course.quiz else {}
    chosen = _chosen_options(course)
    stats = []
    for key, latest_id, answered, correct, up_n, up_right, low_n, low_right in rows:
        discrimination = None
        if up_n and low_n:
            discrimination = round(up_right / up_n - low_right / low_n, 2)
        common = wrong.get(key)
        stats.append(QuestionStats(
            question_key=key, text_html=texts.get(latest_id, ""), answered=answered,
            correct=correct or 0, common_wrong_answer=common[0] if common else None,
            common_wrong_count=common[1] if common else 0, discrimination=discrimination,
            in_current_quiz=key in questions, wrong_typed_answers=typed.get(key, ()),
            options=_option_shares(questions.get(key), chosen.get(key, []), answered),
            upper_answered=up_n or 0, lower_answered=low_n or 0))
    answered_keys = {s.question_key for s in stats}
    stats += [QuestionStats(question_key=key, text_html=question.text_html, answered=0,
                            correct=0, common_wrong_answer=None, common_wrong_count=0,
                            discrimination=None, in_current_quiz=True,
                            options=_option_shares(question, [], 0))
              for key, question in questions.items() if key not in answered_keys]
    order = {key: index for index, key in enumerate(questions)}
    stats.sort(key=lambda s: (order.get(s.question_key, len(order)), s.question_key))
    return attempts, stats


def _chosen_options(course: Course) -> dict[str, list[tuple[str, str, bool, int]]]:
    """Per question key: each option's Markdown, HTML, whether it is right, and how many
    submitted answers chose it (options no answer chose included), counted in the database."""
    submitted = (select(Attempt.id).where(Attempt.course_id == course.id,
                                          Attempt.submitted_at.is_not(None)))
    right = case((AttemptOption.correct.is_(True), 1), else_=0)
    picked = case((AttemptOption.selected.is_(True), 1), else_=0)
    rows = db.session.execute(
        select(AttemptQuestion.question_key, AttemptOption.text_md,
               func.max(AttemptOption.text_html), func.max(right), func.sum(picked))
        .join(AttemptOption, AttemptOption.question_id == AttemptQuestion.id)
        .where(AttemptQuestion.attempt_id.in_(submitted), AttemptQuestion.kind.in_(CHOICE_KINDS))
        .group_by(AttemptQuestion.question_key, AttemptOption.text_md)
        .order_by(AttemptQuestion.question_key, func.min(AttemptOption.position))).all()
    chosen: dict[str, list[tuple[str, str, bool, int]]] = defaultdict(list)
    for key, text_md, text_html, correct, count in rows:
        chosen[key].append((text_md, text_html, bool(correct), count or 0))
    return chosen


def _option_shares(question: Question | None, counted: list[tuple[str, str, bool, int]],
                   answered: int) -> tuple[OptionShare, ...]:
    """Each option with its share: the current question's options in its order (those nobody
    chose at 0 %), then any option attempts were given that the question no longer has."""
    if question is not None and type_of(question.kind).typed:
        return ()
    counts = {text_md: (text_html, correct, n) for text_md, text_html, correct, n in counted}
    shares = []
    if question is not None:
        for option in question.options:
            _html, _correct, n = counts.pop(option.text_md, ("", False, 0))
            shares.append(OptionShare(option.text_html, option.correct, n, answered))
    shares += [OptionShare(text_html, correct, n, answered)
               for text_html, correct, n in counts.values()]
    return tuple(shares)


TYPED_ANSWERS_SHOWN = 5


def _common_wrong_answers(
    course: Course,
) -> tuple[dict[str, tuple[str, int]], dict[str, tuple[tuple[str, int], ...]]]:
    """For each question, the wrong option (or typed answer) chosen most often; and for typed
    questions the most common wrong answers, counted as marking compares them ("5 656" and
    "5 656." are one answer), each shown in its most frequent spelling."""
    submitted = (select(Attempt.id).where(Attempt.course_id == course.id,
                                          Attempt.submitted_at.is_not(None)))
    chosen = db.session.execute(
        select(AttemptQuestion.question_key, AttemptOption.text_md, func.count())
        .join(AttemptOption, AttemptOption.question_id == AttemptQuestion.id)
        .where(AttemptQuestion.attempt_id.in_(submitted), AttemptOption.selected.is_(True),
               AttemptOption.correct.is_(False))
        .group_by(AttemptQuestion.question_key, AttemptOption.text_md)).all()
    typed_rows = db.session.execute(
        select(AttemptQuestion.question_key, AttemptQuestion.response_text, func.count())
        .where(AttemptQuestion.attempt_id.in_(submitted), AttemptQuestion.kind.in_(TYPED_KINDS),
               AttemptQuestion.correct.is_(False), AttemptQuestion.response_text != "")
        .group_by(AttemptQuestion.question_key, AttemptQuestion.response_text)).all()
    counted: dict[str, dict[str, list]] = defaultdict(dict)
    for key, text, count in typed_rows:
        form = normalise_answer(text, ignore_diacritics=False)
        entry = counted[key].setdefault(form, [0, text.strip(), 0])  # total, spelling, its count
        entry[0] += count
        if (count, entry[1]) > (entry[2], text.strip()):  # the commonest; ties alphabetical
            entry[1], entry[2] = text.strip(), count
    typed = {key: tuple((spelling, total) for total, spelling, _ in
                        sorted(forms.values(), key=lambda e: (-e[0], e[1]))[:TYPED_ANSWERS_SHOWN])
             for key, forms in counted.items()}
    best: dict[str, tuple[str, int]] = {}
    for key, text, count in chosen:
        if key not in best or count > best[key][1]:
            best[key] = (text, count)
    for key, answers in typed.items():
        if key not in best or answers[0][1] > best[key][1]:
            best[key] = answers[0]
    return best, typed
