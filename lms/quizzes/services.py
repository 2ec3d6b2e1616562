"""Attempts: start (draw and shuffle), save, submit once, time limits, history."""

from __future__ import annotations

import random
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import bindparam, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.attributes import set_committed_value

from lms.courses.changes import question_key as text_key
from lms.courses.models import Course
from lms.courses.progress import touch_activity
from lms.errors import LmsError, NotFound
from lms.extensions import db
from lms.people.models import Person
from lms.quizzes import grading
from lms.quizzes.content_models import Question, Quiz
from lms.quizzes.models import Attempt, AttemptOption, AttemptQuestion
from lms.quizzes.question_types import MAX_TYPED, TAMPERED, type_of
from lms.quizzes.true_false import true_false_first

# Slow links: a submission sent just before the deadline may arrive a little after it.
DEADLINE_GRACE = timedelta(seconds=30)


@dataclass(frozen=True)
class Responses:
    """What the member answered: selected option ids per attempt question, or typed text."""

    selected: dict[int, set[int]]
    typed: dict[int, str]


class AttemptClosed(LmsError):
    """The attempt was already submitted, or its time is up: then it was closed and its saved
    answers graded on the way, and that stands (the caller commits it)."""

    writes_stand = True


class NoAttemptsLeft(LmsError):
    """Every attempt is used; an overdue one closed on the way stays closed."""

    writes_stand = True


def pass_mark_of(course: Course) -> int:
    """The quiz's own pass mark, else the course's."""
    quiz = course.quiz
    return quiz.pass_mark if quiz is not None and quiz.pass_mark is not None else course.pass_mark


def attempts_used(person: Person, course: Course) -> int:
    """How many attempts the member has started on this course's quiz."""
    return db.session.scalar(select(func.count(Attempt.id)).where(
        Attempt.person_id == person.id, Attempt.course_id == course.id)) or 0


def open_attempt(person: Person, course: Course) -> Attempt | None:
    """The member's unfinished attempt, if any."""
    return db.session.scalar(select(Attempt).where(
        Attempt.person_id == person.id, Attempt.course_id == course.id,
        Attempt.submitted_at.is_(None)))


def attempts_left(person: Person, course: Course) -> int | None:
    """Attempts the member may still start; None when unlimited."""
    quiz = course.quiz
    if quiz is None or not quiz.max_attempts:
        return None
    return max(0, quiz.max_attempts - attempts_used(person, course))


def question_key(question: Question) -> str:
    """The identity of a question across re-imports: a digest of its Markdown."""
    return text_key(question.text_md)


def _draw(quiz: Quiz, rng: random.Random, required: frozenset[str] = frozenset()
          ) -> list[Question]:
    """The quiz's draw from its pool, always holding the `required` questions (by key): a
    certificate holder re-taking it after a version requiring recertification gets every
    question that version added or changed, however small the draw."""
    pool = list(quiz.questions)
    must = [question for question in pool if question_key(question) in required]
    rest = [question for question in pool if question_key(question) not in required]
    count = min(max(quiz.draw or len(pool), len(must)), len(pool))
    chosen = must + rng.sample(rest, count - len(must))
    if must and quiz.shuffle:
        rng.shuffle(chosen)  # else a sample's order is random already
    if not quiz.shuffle:
        chosen.sort(key=lambda q: q.position)
    return chosen


def _snapshot(position: int, question: Question, shuffle: bool,
              rng: random.Random) -> AttemptQuestion:
    options = list(question.options)
    if shuffle and type_of(question.kind).shuffled:
        rng.shuffle(options)
    # Always, shuffled or as written: true/false reads Đúng, then Sai.
    options = true_false_first(options, lambda option: option.text_md)
    return AttemptQuestion(
        position=position, question_key=question_key(question), kind=question.kind,
        text_html=question.text_html, explanation_html=question.explanation_html,
        options=[AttemptOption(position=i, text_md=o.text_md, text_html=o.text_html,
                               correct=o.correct, ignore_diacritics=o.ignore_diacritics,
                               explanation_html=o.explanation_html)
                 for i, o in enumerate(options, start=1)])


def start_attempt(person: Person, course: Course, now: datetime,
                  rng: random.Random | None = None,
                  required: frozenset[str] = frozenset()) -> Attempt:
    """Resume the unfinished attempt, or draw a new one within the attempt limit; the
    questions keyed in `required` are always drawn (a recertification update's changes:
    lms.certification.quiz_flow.start_quiz)."""
    quiz = course.quiz
    if quiz is None or not quiz.questions:
        raise NotFound()
    current = open_attempt(person, course)
    if current is not None:
        if not expire_if_overdue(current, now):
            return current
    left = attempts_left(person, course)
    if left is not None and left <= 0:
        raise NoAttemptsLeft(_l("You have used all %(n)d attempts at this quiz.",
                                n=quiz.max_attempts))
    rng = rng or random.Random(secrets.randbits(64))
    drawn = _draw(quiz, rng, required)
    attempt = Attempt(
        person_id=person.id, course_id=course.id, number=attempts_used(person, course) + 1,
        course_version=course.version, pass_mark=pass_mark_of(course), started_at=now,
        deadline_at=now + timedelta(minutes=quiz.time_limit_minutes)
        if quiz.time_limit_minutes else None,
        question_count=len(drawn),
        questions=[_snapshot(i, q, quiz.shuffle, rng) for i, q in enumerate(drawn, start=1)])
    touch_activity(person, course, now)
    try:
        with db.session.begin_nested():
            db.session.add(attempt)
    except IntegrityError:
        # A second tap started the same attempt at the same moment: use that one.
        existing = open_attempt(person, course)
        if existing is None:
            raise
        return existing
    return attempt


def check_responses(attempt: Attempt, responses: Responses) -> None:
    """Refuse ids that are not this attempt's questions or options of that very question."""
    questions = {q.id: q for q in attempt.questions}
    for question_id, option_ids in responses.selected.items():
        question = questions.get(question_id)
        if question is None or question.type.typed:
            raise LmsError(TAMPERED)
        if not option_ids <= {o.id for o in question.options}:
            raise LmsError(TAMPERED)
        question.type.check(option_ids)
    for question_id in responses.typed:
        if question_id not in questions or not questions[question_id].type.typed:
            raise LmsError(TAMPERED)


def unanswered(attempt: Attempt, responses: Responses | None = None) -> list[int]:
    """The positions (1-based) of the questions left without an answer, after these responses
    (None: as saved)."""
    answers = _answers(attempt, responses)
    return [position for position, q in enumerate(attempt.questions, start=1)
            if not q.type.answered(q, answers.typed.get(q.id), answers.chosen)]


def unanswered_count(attempt: Attempt, responses: Responses) -> int:
    """How many questions of the attempt these responses leave without an answer."""
    return len(unanswered(attempt, responses))


def _overdue(attempt: Attempt, now: datetime) -> bool:
    return attempt.deadline_at is not None and now > _aware(attempt.deadline_at) + DEADLINE_GRACE


def _aware(moment: datetime) -> datetime:
    # SQLite returns naive datetimes for timezone-aware columns; they were stored in UTC.
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


@dataclass(frozen=True)
class _Answers:
    """An attempt's answers as they are to be stored."""

    typed: dict[int, str | None]  # the text of each short-answer question, by question id
    chosen: frozenset[int]  # the ids of every selected option


def _answers(attempt: Attempt, responses: Responses | None) -> _Answers:
    """The answers after these responses; a question they do not name (or None: every
    question) keeps its saved answer, so a screen that shows one question changes only it."""
    typed, chosen = {}, set()
    for question in attempt.questions:
        if question.type.typed:
            text = question.response_text
            if responses is not None and question.id in responses.typed:
                text = responses.typed[question.id].strip()[:MAX_TYPED]
            typed[question.id] = text
        elif responses is None or question.id not in responses.selected:
            chosen.update(o.id for o in question.options if o.selected)
        else:
            chosen.update(responses.selected[question.id])
    return _Answers(typed, frozenset(chosen))


def _marks(attempt: Attempt, answers: _Answers) -> dict[int, bool]:
    """Whether each question (by id) earns its point."""
    return {question.id: question.type.correct(question, answers.typed.get(question.id),
                                               answers.chosen)
            for question in attempt.questions}


def _write_answers(attempt: Attempt, answers: _Answers, marks: dict[int, bool]) -> None:
    """Store the answers (and the marks, when graded) in the rows that change."""
    questions, options = [], []
    for question in attempt.questions:
        text = answers.typed.get(question.id, question.response_text)
        correct = marks.get(question.id, question.correct)
        if (text, correct) != (question.response_text, question.correct):
            questions.append((question, {"response_text": text, "correct": correct}))
        if not question.type.typed:
            options.extend((option, {"selected": option.id in answers.chosen})
                           for option in question.options
                           if option.selected != (option.id in answers.chosen))
    _update_by_id(AttemptQuestion, questions)
    _update_by_id(AttemptOption, options)


def _update_by_id(model: type[db.Model], changes: list[tuple[db.Model, dict]]) -> None:
    """Write the values with one executemany UPDATE by primary key; the objects take them.

    One statement per table, where the unit of work sends one per group of rows changing the
    same columns (here every row has the same keys). Core, not the ORM's bulk UPDATE, which
    costs twice the CPU.
    """
    if not changes:
        return
    table = model.__table__
    db.session.connection().execute(update(table).where(table.c.id == bindparam("row_id")),
                                    [{"row_id": instance.id, **values}
                                     for instance, values in changes])
    for instance, values in changes:  # what was written, as if loaded: nothing left to flush
        for key, value in values.items():
            set_committed_value(instance, key, value)


def save_responses(attempt: Attempt, responses: Responses, now: datetime) -> None:
    """Keep answers of an unfinished attempt (to resume later)."""
    _refuse_if_closed(attempt, now)
    check_responses(attempt, responses)
    _write_answers(attempt, _answers(attempt, responses), marks={})


def _refuse_if_closed(attempt: Attempt, now: datetime) -> None:
    if attempt.submitted:
        raise AttemptClosed(_l("This attempt was already submitted; its result is below."))
    if _overdue(attempt, now):
        expire_if_overdue(attempt, now)
        raise AttemptClosed(_l("The time for this attempt ran out before your answers arrived, "
                               "so they were not accepted. The answers saved earlier were "
                               "graded."))


def _claim(attempt: Attempt, moment: datetime, timed_out: bool, marks: dict[int, bool]) -> bool:
    """Mark the attempt submitted, with its score, exactly once, even when two requests race.

    The conditional UPDATE is the lock: the request that loses (a double tap, a resend) sees
    no row to update and changes nothing.
    """
    correct_count = sum(marks.values())
    values = {"submitted_at": moment, "timed_out": timed_out, "correct_count": correct_count,
              "percent": grading.percent(correct_count, attempt.question_count),
              "passed": grading.passes(correct_count, attempt.question_count,
                                       attempt.pass_mark)}
    result = db.session.execute(
        update(Attempt).where(Attempt.id == attempt.id, Attempt.submitted_at.is_(None))
        .values(values).execution_options(synchronize_session=False))
    if result.rowcount != 1:
        db.session.refresh(attempt)
        return False
    for key, value in values.items():  # what the UPDATE wrote, without a second UPDATE
        set_committed_value(attempt, key, value)
    return True


def _finish(attempt: Attempt, answers: _Answers, moment: datetime, timed_out: bool) -> bool:
    """Grade on the server, claim the attempt, then store its answers; False when another
    request had claimed it."""
    marks = _marks(attempt, answers)
    if not _claim(attempt, moment, timed_out, marks):
        return False
    _write_answers(attempt, answers, marks)
    return True


def submit_attempt(attempt: Attempt, responses: Responses, now: datetime) -> bool:
    """Store the answers and grade on the server; False when it had already been submitted."""
    if attempt.submitted:
        return False  # a double tap or a resend: the first result stands
    _refuse_if_closed(attempt, now)
    check_responses(attempt, responses)
    if not _finish(attempt, _answers(attempt, responses), now, timed_out=False):
        return False
    # Left for the flush: a completion recorded next sets completed_at on the same row, and
    # one UPDATE writes both.
    touch_activity(db.session.get(Person, attempt.person_id), attempt.course, now,
                   attempt.enrolment)
    return True


def expire_if_overdue(attempt: Attempt, now: datetime) -> bool:
    """Past its time limit, an unfinished attempt is graded on the answers saved in time."""
    if attempt.submitted or not _overdue(attempt, now):
        return False
    _finish(attempt, _answers(attempt, None), _aware(attempt.deadline_at), timed_out=True)
    return True


def history(person: Person, course: Course) -> list[Attempt]:
    """The member's attempts at this course's quiz, newest first."""
    return list(db.session.scalars(select(Attempt).where(
        Attempt.person_id == person.id, Attempt.course_id == course.id)
        .order_by(Attempt.number.desc())))
