"""Two years of demo training history: lessons, quiz attempts, certificates and refreshers.

Everything is drawn from one random generator and written with bulk inserts, so the same seed
and day give the same history, except certificate codes, which stay unguessable.
"""

from __future__ import annotations

import itertools
import random
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import exists, insert, select
from sqlalchemy.orm import selectinload

from lms.certification.models import Assignment, Certificate, Completion
from lms.certification.services import add_months, generate_code
from lms.clock import VIETNAM
from lms.courses.models import Course, Enrolment, LessonCompletion, Option, Question, Quiz
from lms.extensions import db
from lms.people.models import Person, Role, Unit
from lms.quizzes import grading
from lms.quizzes.models import Attempt, AttemptOption, AttemptQuestion
from lms.quizzes.services import question_key

BATCH = 2000
HISTORY_DAYS = 730
LEARNER_ROLES = (Role.MEMBER, Role.LEADER)
# (age below, engagement, skill): older members take part less and score lower.
AGE_EFFECTS = ((30, 0.03, 0.12), (45, 0.08, 0.08), (60, 0.0, -0.03), (200, -0.25, -0.15))
LESSON_GAPS = (0, 0, 0, 1, 1, 2, 3, 5, 8, 14)  # days between two lessons
WRONG_SHORT = ("111", "113", "114", "115", "5656", "1900", "3", "ba", "không nhớ")
# Refresher reasons are shown to officers and members, hence Vietnamese.
REASONS_EXPIRING = ("Ôn tập định kỳ", "Chứng nhận sắp hết hạn, cần ôn tập lại")
REASONS_EXPIRED = ("Ôn tập định kỳ", "Chứng nhận đã hết hạn, cần học lại")
REASON_NEW_VERSION = "Khóa học đã cập nhật phiên bản {version}, cần học lại"


@dataclass(frozen=True)
class HistorySummary:
    """What load_history wrote; all zero, with the reason, when it wrote nothing."""

    enrolments: int = 0
    lessons_done: int = 0
    attempts: int = 0
    certificates: int = 0
    in_person: int = 0
    refreshers: int = 0
    open_refreshers: int = 0
    skipped: str = ""

    def line(self) -> str:
        """One line for the demo command's output."""
        if self.skipped:
            return f"Training history: none added ({self.skipped})."
        return (f"Training history: {self.enrolments} enrolments, {self.lessons_done} lessons "
                f"done, {self.attempts} quiz attempts, {self.certificates} certificates "
                f"({self.in_person} in person), {self.refreshers} refreshers "
                f"({self.open_refreshers} open).")


@dataclass(frozen=True)
class _Member:
    id: int
    unit_id: int | None
    path: str
    engagement: float  # how likely they start, finish and retry
    skill: float  # how often they answer right


@dataclass(frozen=True)
class _Course:
    course: Course
    lesson_ids: list[int]
    questions: list[Question]
    pass_mark: int
    seq: int  # id of the newest course_versions row
    release: date | None  # when the current version outdated earlier certificates
    old_version: str
    old_seq: int
    class_days: list[date]  # in-person classes held for this course


@dataclass
class _Trail:
    """One member's activity on one course, in order."""

    events: list[datetime] = field(default_factory=list)
    numbers: Iterator[int] = field(default_factory=lambda: itertools.count(1))
    completed: datetime | None = None


def load_history(today: date, rng: random.Random) -> HistorySummary:
    """Add two years of training history for the demo members; nothing if they have some."""
    courses = _courses(today, rng)
    if not courses:
        return HistorySummary(skipped="no course imported yet; run `lms import-content` first")
    learners = select(Person.id).where(Person.role.in_(LEARNER_ROLES))
    if any(db.session.scalar(select(exists().where(column.in_(learners))))
           for column in (Enrolment.person_id, Attempt.person_id, Completion.person_id)):
        return HistorySummary(skipped="the members already have training history")
    members = _members(today, rng)
    if not members:
        return HistorySummary(skipped="no members")
    officers = db.session.execute(
        select(Person.id, Unit.path).join(Unit, Unit.id == Person.unit_id)
        .where(Person.role == Role.OFFICER).order_by(Person.id)).all()
    history = _History(today, rng, [(row.id, row.path) for row in officers],
                       set(db.session.scalars(select(Certificate.code))))
    for member in members:
        for info in courses:
            history.journey(member, info)
    return history.write()


def _courses(today: date, rng: random.Random) -> list[_Course]:
    courses = db.session.scalars(
        select(Course).order_by(Course.slug).options(
            selectinload(Course.lessons), selectinload(Course.versions),
            selectinload(Course.quiz).selectinload(Quiz.questions)
            .selectinload(Question.options))).all()
    result = []
    for course in courses:
        questions = list(course.quiz.questions) if course.quiz else []
        if not course.lessons and not questions:
            continue
        versions = course.versions
        recertify = bool(versions) and versions[-1].requires_recertification
        previous = versions[-2] if len(versions) > 1 else None
        pass_mark = course.quiz.pass_mark if course.quiz and course.quiz.pass_mark else None
        result.append(_Course(
            course=course, lesson_ids=[lesson.id for lesson in course.lessons],
            questions=questions, pass_mark=pass_mark or course.pass_mark,
            seq=versions[-1].id if versions else 0,
            release=_release_day(course.version, today) if recertify else None,
            old_version=previous.version if previous else _previous_version(course.version),
            old_seq=previous.id if previous else 0,
            class_days=[today - timedelta(days=rng.randint(30, HISTORY_DAYS - 30))
                        for _ in range(3)]))
    return result


def _release_day(version: str, today: date) -> date:
    """When a version such as "2026.1" came out: 1 January of its year, kept inside the history."""
    match = re.match(r"(\d{4})", version)
    day = date(int(match[1]), 1, 1) if match else today - timedelta(days=300)
    return min(max(day, today - timedelta(days=600)), today - timedelta(days=90))


def _previous_version(version: str) -> str:
    match = re.match(r"(\d{4})", version)
    return f"{int(match[1]) - 1}.1" if match else ""


def _members(today: date, rng: random.Random) -> list[_Member]:
    rows = db.session.execute(
        select(Person.id, Person.birth_year, Person.role, Person.team_id, Person.unit_id,
               Unit.path, Unit.parent_id)
        .outerjoin(Unit, Unit.id == Person.unit_id)
        .where(Person.role.in_(LEARNER_ROLES), Person.active.is_(True))
        .order_by(Person.id)).all()
    communes: dict[int | None, float] = {}
    teams: dict[int | None, float] = {}
    members = []
    for row in rows:
        commune = communes.setdefault(row.parent_id, rng.gauss(0, 0.12))
        if row.team_id not in teams:  # a few teams have barely begun; others are keen
            teams[row.team_id] = -0.35 if rng.random() < 0.08 else commune + rng.gauss(0, 0.18)
        team = teams[row.team_id]
        age = today.year - (row.birth_year or today.year - 45)
        _, engaged, skilled = next(effect for effect in AGE_EFFECTS if age < effect[0])
        leader = 0.15 if row.role == Role.LEADER else 0.0
        members.append(_Member(
            id=row.id, unit_id=row.unit_id, path=row.path or "",
            engagement=_clip(0.55 + team + engaged + leader + rng.gauss(0, 0.15), 0.02, 0.98),
            skill=_clip(0.55 + team / 2 + skilled + rng.gauss(0, 0.1), 0.05, 0.95)))
    return members


def _clip(value: float, low: float, high: float) -> float:
    return min(max(value, low), high)


def _insert(model: type[db.Model], rows: list[dict], returning: bool = False) -> list[int]:
    """Bulk insert in batches; with `returning`, the new ids in the order of `rows`."""
    ids: list[int] = []
    for start in range(0, len(rows), BATCH):
        batch = rows[start:start + BATCH]
        if returning:
            statement = insert(model).returning(model.id, sort_by_parameter_order=True)
            ids.extend(db.session.scalars(statement, batch).all())
        else:
            db.session.execute(insert(model), batch)
    return ids


class _History:
    """Draws the journeys and keeps their rows; links are list indexes until `write`."""

    def __init__(self, today: date, rng: random.Random, officers: list[tuple[int, str]],
                 codes: set[str]) -> None:
        self.today, self.rng, self.officers, self.codes = today, rng, officers, codes
        self.last_day = today - timedelta(days=1)
        self.enrolments: list[dict] = []
        self.lessons: list[dict] = []
        self.attempts: list[dict] = []
        self.questions: list[dict] = []
        self.options: list[dict] = []
        self.completions: list[dict] = []
        self.certificates: list[dict] = []
        self.assignments: list[dict] = []

    def moment(self, day: date, after: datetime | None = None, hours: tuple[int, int] = (7, 21)) -> datetime:
        """A time of day in Vietnam on `day` (stored in UTC), later than `after`."""
        clock = time(self.rng.randrange(*hours), self.rng.randrange(60), self.rng.randrange(60))
        moment = datetime.combine(day, clock, tzinfo=VIETNAM).astimezone(UTC)
        if after is not None and moment <= after:
            moment = after + timedelta(minutes=self.rng.randint(2, 20))
        return moment

    def journey(self, member: _Member, info: _Course) -> None:
        """Whether and how far one member went with one course, renewals included."""
        rng, required = self.rng, info.course.required
        wants = 0.25 + 0.7 * member.engagement if required else 0.03 + 0.3 * member.engagement
        if rng.random() >= wants:
            if required and member.engagement < 0.45 and rng.random() < 0.06:
                self.in_person(member, info)
            return
        day = self.today - timedelta(days=int((HISTORY_DAYS - 2) * rng.random() ** 1.5) + 2)
        trail = _Trail()
        finish = rng.random() < 0.3 + 0.65 * member.engagement
        total = len(info.lesson_ids)
        for lesson_id in info.lesson_ids[:total if finish else rng.randint(1, max(1, total - 1))]:
            if day > self.last_day:
                break
            trail.events.append(self.moment(day, trail.events[-1] if trail.events else None))
            self.lessons.append({"person_id": member.id, "lesson_id": lesson_id,
                                 "completed_at": trail.events[-1]})
            day += timedelta(days=rng.choice(LESSON_GAPS))
        if len(trail.events) == total:
            if info.questions:
                done = self.until_passed(member, info, day, trail)
            else:
                done = self.complete(member, info, trail.events[-1], None, None)
                trail.completed = trail.events[-1]
            if done is not None:
                self.renewals(member, info, trail, online=bool(info.questions))
        if trail.events:
            self.enrolments.append({"person_id": member.id, "course_id": info.course.id,
                                    "started_at": min(trail.events),
                                    "last_activity_at": max(trail.events),
                                    "completed_at": trail.completed})

    def in_person(self, member: _Member, info: _Course) -> None:
        """A trainer's class: attendance and a paper score at or above the pass mark."""
        day = self.rng.choice(info.class_days)
        score = self.rng.randint(info.pass_mark, 100)
        self.complete(member, info, self.moment(day, hours=(8, 11)), None, score)
        self.renewals(member, info, _Trail(), online=False)

    def until_passed(self, member: _Member, info: _Course, day: date,
                     trail: _Trail) -> int | None:
        """Attempts from `day` until one passes (a completion) or the member gives up."""
        tries = 0
        while day <= self.last_day:
            number = next(trail.numbers)
            limit = info.course.quiz.max_attempts
            if limit and number > limit:
                return None
            tries += 1
            attempt, submitted, passed = self.attempt(member, info, day, number, tries, trail)
            trail.events.append(submitted)
            if passed:
                trail.completed = submitted
                percent = self.attempts[attempt]["percent"]
                return self.complete(member, info, submitted, attempt, percent)
            if tries >= 4 or self.rng.random() > 0.4 + 0.45 * member.engagement:
                return None
            day += timedelta(days=self.rng.randint(1, 12))
        return None

    def renewals(self, member: _Member, info: _Course, trail: _Trail, online: bool) -> None:
        """Outdated, expiring or expired certificates: refreshers, and some members retake."""
        rng = self.rng
        for _ in range(3):
            issued, valid_until = (self.certificates[-1][key] for key in ("issued_on",
                                                                           "valid_until"))
            outdated = info.release is not None and issued < info.release
            if outdated:
                due = info.release + timedelta(days=rng.randint(7, 60))
            elif valid_until is not None:
                due = valid_until - timedelta(days=rng.randint(0, 60))
            else:
                return
            if due > self.last_day:
                return
            assigned = rng.random() < 0.3
            keen = 0.3 + 0.5 * member.engagement if assigned else 0.25 * member.engagement
            start = due + timedelta(days=rng.randint(2, 90))
            renewed = None
            if online and start <= self.last_day and rng.random() < keen:
                renewed = self.until_passed(member, info, start, trail)
            if assigned:
                reasons = REASONS_EXPIRED if valid_until and due > valid_until else REASONS_EXPIRING
                reason = (REASON_NEW_VERSION.format(version=info.course.version) if outdated
                          else rng.choice(reasons))
                self.assign(member, info, due, reason, renewed)
            if renewed is None:
                return

    def assign(self, member: _Member, info: _Course, day: date, reason: str,
               closed_by: int | None) -> None:
        """A refresher from an officer whose area holds the member, closed by `closed_by`."""
        rng = self.rng
        fits = sorted(((len(path), officer) for officer, path in self.officers
                       if member.path.startswith(path)), reverse=True)
        fits = fits or [(0, officer) for officer, _ in self.officers]
        officer = None
        if fits:
            officer = fits[0][1] if rng.random() < 0.7 else rng.choice(fits)[1]
        self.assignments.append({
            "person_id": member.id, "course_id": info.course.id,
            "due_on": day + timedelta(days=rng.choice((30, 45, 60, 90))), "reason": reason,
            "assigned_by_id": officer, "created_at": self.moment(day, hours=(8, 17)),
            "closed_at": None if closed_by is None else self.completions[closed_by]["completed_at"],
            "closed_by_completion_id": closed_by})

    def attempt(self, member: _Member, info: _Course, day: date, number: int, tries: int,
                trail: _Trail) -> tuple[int, datetime, bool]:
        """One submitted attempt with its snapshot; retakes go better than first tries."""
        rng, quiz = self.rng, info.course.quiz
        started = self.moment(day, trail.events[-1] if trail.events else None)
        drawn = rng.sample(info.questions, min(quiz.draw or len(info.questions),
                                               len(info.questions)))
        if not quiz.shuffle:
            drawn.sort(key=lambda question: question.position)
        chance = min(0.97, 0.45 + 0.5 * member.skill + 0.07 * (tries - 1))
        index = len(self.attempts)
        right = sum(self.answer(index, position, question, quiz.shuffle, rng.random() < chance)
                    for position, question in enumerate(drawn, start=1))
        limit = quiz.time_limit_minutes
        submitted = started + timedelta(minutes=rng.randint(3, max(3, (limit or 26) - 1)),
                                        seconds=rng.randrange(60))
        passed = grading.passes(right, len(drawn), info.pass_mark)
        self.attempts.append({
            "person_id": member.id, "course_id": info.course.id, "number": number,
            "course_version": self.version_at(info, day)[0], "pass_mark": info.pass_mark,
            "started_at": started,
            "deadline_at": started + timedelta(minutes=limit) if limit else None,
            "submitted_at": submitted, "timed_out": False, "correct_count": right,
            "question_count": len(drawn), "percent": grading.percent(right, len(drawn)),
            "passed": passed})
        return index, submitted, passed

    def answer(self, attempt: int, position: int, question: Question, shuffle: bool,
               knows: bool) -> bool:
        """Snapshot one question with a plausible answer; True when it is right."""
        rng = self.rng
        options = list(question.options)
        chosen: set[int] = set()
        response = None
        if question.kind == "short":
            accepted = [(option.text_md, option.ignore_diacritics) for option in options]
            if knows:
                response = rng.choice(options).text_md
            elif rng.random() < 0.8:
                response = next((text for text in rng.sample(WRONG_SHORT, len(WRONG_SHORT))
                                 if not grading.short_answer_is_correct(text, accepted)), None)
            correct = grading.short_answer_is_correct(response or "", accepted)
        else:
            if shuffle:
                rng.shuffle(options)
            right = {option.id for option in options if option.correct}
            chosen = set(right) if knows else self.mistake(options, question.kind)
            correct = grading.choice_is_correct(chosen, right)
        self.questions.append({
            "attempt_id": attempt, "position": position, "question_key": question_key(question),
            "kind": question.kind, "text_html": question.text_html,
            "explanation_html": question.explanation_html, "response_text": response,
            "correct": correct})
        row = len(self.questions) - 1
        self.options.extend({
            "question_id": row, "position": number, "text_md": option.text_md,
            "text_html": option.text_html, "correct": option.correct,
            "ignore_diacritics": option.ignore_diacritics, "selected": option.id in chosen}
            for number, option in enumerate(options, start=1))
        return correct

    def mistake(self, options: list[Option], kind: str) -> set[int]:
        """A wrong choice; one tempting wrong option per question draws most mistakes."""
        rng = self.rng
        right = [option.id for option in options if option.correct]
        wrong = sorted((option for option in options if not option.correct),
                       key=lambda option: option.position)
        if not wrong or rng.random() < 0.04:
            return set()  # left unanswered
        if kind == "single":
            return {rng.choices(wrong, weights=[4] + [1] * (len(wrong) - 1))[0].id}
        if len(right) > 1 and rng.random() < 0.6:
            return set(right) - {rng.choice(right)}
        return set(right) | {rng.choice(wrong).id}

    def version_at(self, info: _Course, day: date) -> tuple[str, int]:
        """The course version (text, course_versions id) current on `day`."""
        if info.release is not None and day < info.release:
            return info.old_version, info.old_seq
        return info.course.version, info.seq

    def complete(self, member: _Member, info: _Course, moment: datetime, attempt: int | None,
                 score: int | None) -> int:
        """A completion and its certificate; returns the completion's index."""
        issued_on = moment.astimezone(VIETNAM).date()
        version, seq = self.version_at(info, issued_on)
        self.completions.append({
            "person_id": member.id, "course_id": info.course.id, "completed_at": moment,
            "source": "online" if attempt is not None or score is None else "in_person",
            "attempt_id": attempt, "course_version": version, "score_percent": score})
        code = generate_code()
        while code in self.codes:
            code = generate_code()
        self.codes.add(code)
        months = info.course.certificate_valid_months
        self.certificates.append({
            "code": code, "person_id": member.id, "course_id": info.course.id,
            "completion_id": len(self.completions) - 1, "issued_at": moment,
            "issued_on": issued_on,
            "valid_until": add_months(issued_on, months) if months else None,
            "course_version": version, "version_seq": seq,
            "in_person": attempt is None and score is not None,
            "issuing_unit_id": member.unit_id})
        return len(self.completions) - 1

    def write(self) -> HistorySummary:
        """Insert every row in bulk, parents first, turning indexes into ids."""
        attempt_ids = _insert(Attempt, self.attempts, returning=True)
        for row in self.questions:
            row["attempt_id"] = attempt_ids[row["attempt_id"]]
        question_ids = _insert(AttemptQuestion, self.questions, returning=True)
        for row in self.options:
            row["question_id"] = question_ids[row["question_id"]]
        _insert(AttemptOption, self.options)
        for row in self.completions:
            if row["attempt_id"] is not None:
                row["attempt_id"] = attempt_ids[row["attempt_id"]]
        completion_ids = _insert(Completion, self.completions, returning=True)
        for row in self.certificates:
            row["completion_id"] = completion_ids[row["completion_id"]]
        for row in self.assignments:
            if row["closed_by_completion_id"] is not None:
                row["closed_by_completion_id"] = completion_ids[row["closed_by_completion_id"]]
        _insert(Certificate, self.certificates)
        _insert(Assignment, self.assignments)
        _insert(Enrolment, self.enrolments)
        _insert(LessonCompletion, self.lessons)
        return HistorySummary(
            enrolments=len(self.enrolments), lessons_done=len(self.lessons),
            attempts=len(self.attempts), certificates=len(self.certificates),
            in_person=sum(row["in_person"] for row in self.certificates),
            refreshers=len(self.assignments),
            open_refreshers=sum(row["closed_at"] is None for row in self.assignments))
