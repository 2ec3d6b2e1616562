"""Two years of demo training history: lessons, quiz attempts, certificates and refreshers.

Same seed and day, same history, except certificate codes (they stay unguessable)."""

from __future__ import annotations

import itertools
import math
import random
import re
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time, timedelta
from operator import itemgetter

from sqlalchemy import exists, insert, select
from sqlalchemy.orm import selectinload

from lms.certification import standings
from lms.certification.models import Assignment, Certificate, Completion
from lms.certification.services import add_months, generate_code
from lms.clock import VIETNAM
from lms.courses.models import Course, CourseVersion, Enrolment, LessonCompletion
from lms.extensions import db
from lms.people.models import Person, Role, Unit
from lms.quizzes import grading
from lms.quizzes.content_models import Option, Question, Quiz
from lms.quizzes.models import Attempt, AttemptOption, AttemptQuestion
from lms.quizzes.question_types import type_of
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
# Parents first: rows refer to earlier tables by list index until their ids are known.
TABLES = (Attempt, AttemptQuestion, AttemptOption, Completion, Certificate, Assignment,
          Enrolment, LessonCompletion)
LINKS = {AttemptQuestion: ("attempt_id", Attempt), AttemptOption: ("question_id", AttemptQuestion),
         Completion: ("attempt_id", Attempt), Certificate: ("completion_id", Completion),
         Assignment: ("closed_by_completion_id", Completion)}


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
    engagement: float  # 0..1, steep: keen members start, finish and renew nearly everything
    skill: float  # how often they answer right


@dataclass(frozen=True)
class _Course:
    course: Course
    lesson_ids: list[int]
    questions: list[Question]
    pass_mark: int
    seq: int  # id of the newest course_versions row
    release: date | None  # when the current version outdated earlier certificates
    old: tuple[str, int]  # the version (text, course_versions id) before `release`
    class_days: list[date]  # in-person classes held for this course


@dataclass
class _Trail:  # one member's activity on one course, in order
    events: list[datetime] = field(default_factory=list)
    numbers: Iterator[int] = field(default_factory=lambda: itertools.count(1))
    completed: datetime | None = None


def load_history(today: date, rng: random.Random) -> HistorySummary:
    """Add two years of training history for the demo members; nothing if they have some."""
    courses = list(_courses(today, rng))
    if not courses:
        return HistorySummary(skipped="no course imported yet; run `lms import-content` first")
    learners = select(Person.id).where(Person.role.in_(LEARNER_ROLES))
    if any(db.session.scalar(select(exists().where(column.in_(learners))))
           for column in (Enrolment.person_id, Attempt.person_id, Completion.person_id)):
        return HistorySummary(skipped="the members already have training history")
    officers = db.session.execute(
        select(Person.id, Unit.path).join(Unit, Unit.id == Person.unit_id)
        .where(Person.role == Role.OFFICER).order_by(Person.id)).all()
    courses = _published_in_the_past(courses, today)
    history = _History(today, rng, officers, set(db.session.scalars(select(Certificate.code))))
    for member in _members(today, rng):
        for info in courses:
            history.journey(member, info)
    return history.write()


def _published_in_the_past(courses: list[_Course], today: date) -> list[_Course]:
    """The library was imported today, but the history is two years long, and reports on a
    past date count only the courses published by then. Every version is dated to before the
    history begins; a current version requiring recertification came out on its `release`,
    after an earlier version whose certificates it outdates (made here when the import made
    only one: its row becomes the earlier version, a new row with a greater id the current)."""
    begun = datetime.combine(today - timedelta(days=HISTORY_DAYS + 1), time(), tzinfo=UTC)
    dated = []
    for info in courses:
        versions = list(info.course.versions)
        for version in versions:
            version.created_at = begun
        if info.release is None:
            dated.append(info)
            continue
        previous, current = (versions[-2] if len(versions) > 1 else None), versions[-1]
        if previous is None:
            previous, current = current, CourseVersion(
                course_id=info.course.id, version=current.version, note=current.note,
                requires_recertification=True, grace_days=current.grace_days)
            previous.version, previous.note = info.old[0], ""
            previous.requires_recertification, previous.grace_days = False, 0
            db.session.flush()  # renamed before the new row takes its version (unique)
            db.session.add(current)
            for change in list(previous.changes):
                change.version = current
            db.session.expire(info.course, ["versions"])
        current.created_at = datetime.combine(info.release, time(), tzinfo=UTC)
        current.outdates_on = info.release + timedelta(days=current.grace_days)
        db.session.flush()
        dated.append(replace(info, seq=current.id, old=(previous.version, previous.id)))
    return dated


def _courses(today: date, rng: random.Random) -> Iterator[_Course]:
    courses = db.session.scalars(
        select(Course).order_by(Course.slug).options(
            selectinload(Course.lessons), selectinload(Course.versions),
            selectinload(Course.quiz).selectinload(Quiz.questions)
            .selectinload(Question.options))).all()
    for course in courses:
        questions = list(course.quiz.questions) if course.quiz else []
        if not course.lessons and not questions:
            continue
        versions = course.versions
        previous = versions[-2] if len(versions) > 1 else None
        year = re.match(r"\d{4}", course.version)
        release = date(int(year[0]), 1, 1) if year else today - timedelta(days=300)
        yield _Course(
            course=course, lesson_ids=[lesson.id for lesson in course.lessons],
            questions=questions, seq=versions[-1].id if versions else 0,
            pass_mark=(course.quiz and course.quiz.pass_mark) or course.pass_mark,
            # The new version came out on 1 January of its year, kept inside the history.
            release=min(max(release, today - timedelta(days=600)), today - timedelta(days=90))
            if versions and versions[-1].requires_recertification else None,
            old=(previous.version, previous.id) if previous else
            (f"{int(year[0]) - 1}.1" if year else "", 0),
            class_days=[today - timedelta(days=rng.randint(30, HISTORY_DAYS - 30))
                        for _ in range(3)])


def _members(today: date, rng: random.Random) -> Iterator[_Member]:
    rows = db.session.execute(
        select(Person.id, Person.birth_year, Person.role, Person.team_id, Person.unit_id,
               Unit.path, Unit.parent_id)
        .outerjoin(Unit, Unit.id == Person.unit_id)
        .where(Person.role.in_(LEARNER_ROLES), Person.active.is_(True))
        .order_by(Person.id)).all()
    communes, teams = {}, {}  # strength of each
    for row in rows:
        commune = communes.setdefault(row.parent_id, rng.gauss(0, 0.12))
        if row.team_id not in teams:  # a few teams have barely begun; others are keen
            teams[row.team_id] = -0.35 if rng.random() < 0.08 else commune + rng.gauss(0, 0.18)
        age = today.year - (row.birth_year or today.year - 45)
        _, engaged, skilled = next(effect for effect in AGE_EFFECTS if age < effect[0])
        team = teams[row.team_id]
        engaged += team + (0.15 if row.role == Role.LEADER else 0.0)
        yield _Member(
            id=row.id, unit_id=row.unit_id, path=row.path or "",
            engagement=1 / (1 + math.exp(-12 * (engaged + rng.gauss(0, 0.15) + 0.1))),
            skill=min(max(0.62 + team / 2 + skilled + rng.gauss(0, 0.1), 0.05), 0.95))


class _History:
    """Draws the journeys and keeps their rows per table until `write`."""

    def __init__(self, today: date, rng: random.Random, officers: list[tuple[int, str]],
                 codes: set[str]) -> None:
        self.today, self.rng, self.officers, self.codes = today, rng, officers, codes
        self.last_day = today - timedelta(days=1)
        self.rows: dict[type, list[dict]] = {model: [] for model in TABLES}

    def add(self, model: type, row: dict) -> int:
        self.rows[model].append(row)  # its index stands for its id until `write`
        return len(self.rows[model]) - 1

    def moment(self, day: date, after: datetime | None = None,
               hours: tuple[int, int] = (7, 21)) -> datetime:
        """A time of day in Vietnam on `day` (stored in UTC), later than `after`."""
        clock = time(self.rng.randrange(*hours), self.rng.randrange(60), self.rng.randrange(60))
        moment = datetime.combine(day, clock, tzinfo=VIETNAM).astimezone(UTC)
        if after is not None and moment <= after:
            moment = after + timedelta(minutes=self.rng.randint(2, 20))
        return moment

    def journey(self, member: _Member, info: _Course) -> None:
        """Whether and how far one member went with one course, renewals included."""
        rng, required = self.rng, info.course.required
        wants = 0.1 + 0.88 * member.engagement if required else 0.03 + 0.3 * member.engagement
        if rng.random() >= wants:
            if required and member.engagement < 0.45 and rng.random() < 0.06:
                self.complete(member, info, self.moment(rng.choice(info.class_days), None, (8, 11)),
                              None, rng.randint(info.pass_mark, 100))  # an in-person class
                self.renewals(member, info, _Trail(), online=False)
            return
        day = self.today - timedelta(days=rng.randint(7, HISTORY_DAYS))
        trail, total = _Trail(), len(info.lesson_ids)
        finish = rng.random() < 0.15 + 0.83 * member.engagement
        for lesson_id in info.lesson_ids[:total if finish else rng.randint(1, max(1, total - 1))]:
            if day > self.last_day:
                break
            trail.events.append(self.moment(day, trail.events[-1] if trail.events else None))
            self.add(LessonCompletion, {"person_id": member.id, "lesson_id": lesson_id,
                                        "completed_at": trail.events[-1]})
            day += timedelta(days=rng.choice(LESSON_GAPS))
        if len(trail.events) == total:
            if info.questions:
                done = self.until_passed(member, info, day, trail)
            else:  # without a quiz the last lesson completes the course
                done = self.complete(member, info, trail.events[-1], None, None)
                trail.completed = trail.events[-1]
            if done is not None:
                self.renewals(member, info, trail, online=bool(info.questions))
        if trail.events:
            self.add(Enrolment, {"person_id": member.id, "course_id": info.course.id,
                                 "started_at": min(trail.events), "completed_at": trail.completed,
                                 "last_activity_at": max(trail.events)})

    def until_passed(self, member: _Member, info: _Course, day: date,
                     trail: _Trail) -> int | None:
        """Attempts from `day` until one passes (a completion) or the member gives up."""
        tries = 0
        while day <= self.last_day:
            number = next(trail.numbers)
            if info.course.quiz.max_attempts and number > info.course.quiz.max_attempts:
                return None
            tries += 1
            attempt, submitted, passed = self.attempt(member, info, day, number, tries, trail)
            trail.events.append(submitted)
            if passed:
                trail.completed = submitted
                percent = self.rows[Attempt][attempt]["percent"]
                return self.complete(member, info, submitted, attempt, percent)
            if tries >= 5 or self.rng.random() > 0.35 + 0.6 * member.engagement:
                return None
            day += timedelta(days=self.rng.randint(1, 12))
        return None

    def renewals(self, member: _Member, info: _Course, trail: _Trail, online: bool) -> None:
        """Outdated, expiring or expired certificates: refreshers, and some members retake."""
        rng = self.rng
        for _ in range(3):
            issued, valid_until = itemgetter("issued_on", "valid_until")(self.rows[Certificate][-1])
            outdated = info.release is not None and issued < info.release
            due = (info.release + timedelta(days=rng.randint(7, 60)) if outdated else
                   valid_until + timedelta(days=rng.randint(-60, 45)) if valid_until else None)
            if due is None or due > self.last_day:
                return
            # Officers act mostly on recent lists, so fresh cases get more refreshers.
            assigned = rng.random() < (0.45 if due > self.last_day - timedelta(days=120) else 0.2)
            keen = 0.2 + 0.75 * member.engagement if assigned else 0.7 * member.engagement
            start = due + timedelta(days=rng.randint(2, 90))
            renewed = (self.until_passed(member, info, start, trail)
                       if online and start <= self.last_day and rng.random() < keen else None)
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
        fits = sorted(((len(path), officer) for officer, path in self.officers
                       if member.path.startswith(path)), reverse=True) or [(0, None)]
        officer = fits[0][1] if self.rng.random() < 0.7 else self.rng.choice(fits)[1]
        closed_at = None if closed_by is None else self.rows[Completion][closed_by]["completed_at"]
        self.add(Assignment, {
            "person_id": member.id, "course_id": info.course.id,
            "due_on": day + timedelta(days=self.rng.choice((30, 45, 60, 90))), "reason": reason,
            "assigned_by_id": officer, "created_at": self.moment(day, None, (8, 17)),
            "closed_at": closed_at, "closed_by_completion_id": closed_by})

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
        index = len(self.rows[Attempt])
        right = sum(self.answer(index, position, question, quiz.shuffle, rng.random() < chance)
                    for position, question in enumerate(drawn, start=1))
        limit = quiz.time_limit_minutes
        submitted = started + timedelta(minutes=rng.randint(3, max(3, (limit or 26) - 1)),
                                        seconds=rng.randrange(60))
        passed = grading.passes(right, len(drawn), info.pass_mark)
        self.add(Attempt, {
            "person_id": member.id, "course_id": info.course.id, "number": number,
            "course_version": self.version_at(info, day)[0], "pass_mark": info.pass_mark,
            "started_at": started, "submitted_at": submitted, "timed_out": False,
            "deadline_at": started + timedelta(minutes=limit) if limit else None,
            "correct_count": right, "question_count": len(drawn), "passed": passed,
            "percent": grading.percent(right, len(drawn))})
        return index, submitted, passed

    def answer(self, attempt: int, position: int, question: Question, shuffle: bool,
               knows: bool) -> bool:
        """Snapshot one question with a plausible answer; True when it is right."""
        rng, options = self.rng, list(question.options)
        chosen, response = set(), None
        if type_of(question.kind).typed:
            accepted = [(option.text_md, option.ignore_diacritics) for option in options]
            wrong = [text for text in rng.sample(WRONG_SHORT, len(WRONG_SHORT))
                     if not grading.short_answer_is_correct(text, accepted)]
            blank = rng.random() < 0.2 or not wrong
            response = rng.choice(options).text_md if knows else None if blank else wrong[0]
            correct = grading.short_answer_is_correct(response or "", accepted)
        else:
            if shuffle:
                rng.shuffle(options)
            right = {option.id for option in options if option.correct}
            chosen = set(right) if knows else self.mistake(options, question.kind)
            correct = grading.choice_is_correct(chosen, right)
        row = self.add(AttemptQuestion, {
            "attempt_id": attempt, "position": position, "question_key": question_key(question),
            "kind": question.kind, "text_html": question.text_html,
            "explanation_html": question.explanation_html, "response_text": response,
            "correct": correct})
        for number, option in enumerate(options, start=1):
            self.add(AttemptOption, {
                "question_id": row, "position": number, "text_md": option.text_md,
                "text_html": option.text_html, "correct": option.correct,
                "ignore_diacritics": option.ignore_diacritics, "selected": option.id in chosen})
        return correct

    def mistake(self, options: list[Option], kind: str) -> set[int]:
        """A wrong choice; one tempting wrong option per question draws most mistakes."""
        rng, right = self.rng, [option.id for option in options if option.correct]
        wrong = sorted((option for option in options if not option.correct),
                       key=lambda option: option.position)
        if not wrong or rng.random() < 0.04:
            return set()  # left unanswered
        if not type_of(kind).many:
            return {rng.choices(wrong, weights=[4] + [1] * (len(wrong) - 1))[0].id}
        if len(right) > 1 and rng.random() < 0.6:
            return set(right) - {rng.choice(right)}
        return set(right) | {rng.choice(wrong).id}

    def version_at(self, info: _Course, day: date) -> tuple[str, int]:
        if info.release is not None and day < info.release:
            return info.old
        return info.course.version, info.seq

    def complete(self, member: _Member, info: _Course, moment: datetime, attempt: int | None,
                 score: int | None) -> int:
        """A completion (in person when it has a score but no attempt) and its certificate."""
        issued_on = moment.astimezone(VIETNAM).date()
        version, seq = self.version_at(info, issued_on)
        in_person = attempt is None and score is not None
        completion = self.add(Completion, {
            "person_id": member.id, "course_id": info.course.id, "completed_at": moment,
            "source": "in_person" if in_person else "online", "attempt_id": attempt,
            "course_version": version, "score_percent": score})
        code = generate_code()
        while code in self.codes:
            code = generate_code()
        self.codes.add(code)
        months = info.course.certificate_valid_months
        self.add(Certificate, {
            "code": code, "person_id": member.id, "course_id": info.course.id,
            "completion_id": completion, "issued_at": moment, "issued_on": issued_on,
            "valid_until": add_months(issued_on, months) if months else None,
            "course_version": version, "version_seq": seq, "in_person": in_person,
            "issuing_unit_id": member.unit_id})
        return completion

    def write(self) -> HistorySummary:
        """Insert every table in bulk, parents first, turning list indexes into ids."""
        ids: dict[type, list[int]] = {model: [] for model in TABLES}
        for model in TABLES:
            rows, (key, parent) = self.rows[model], LINKS.get(model, (None, None))
            for row in rows if key else ():
                row[key] = None if row[key] is None else ids[parent][row[key]]
            returning = model in (Attempt, Completion)  # few rows whose ids are needed
            statement = (insert(model).returning(model.id, sort_by_parameter_order=True)
                         if returning else insert(model))
            for start in range(0, len(rows), BATCH):  # in batches; new ids in the rows' order
                result = db.session.execute(statement, rows[start:start + BATCH])
                ids[model].extend(result.scalars() if returning else ())
            if model is AttemptQuestion:  # RETURNING is slow for so many: read the ids back
                found = {(row.attempt_id, row.position): row.id for row in db.session.execute(
                    select(model.id, model.attempt_id, model.position)
                    .where(model.attempt_id >= min(ids[Attempt], default=0)))}
                ids[model] = [found[row["attempt_id"], row["position"]] for row in rows]
        standings.refresh()  # the certificates went in without the issuing service
        certificates, assignments = self.rows[Certificate], self.rows[Assignment]
        return HistorySummary(
            len(self.rows[Enrolment]), len(self.rows[LessonCompletion]), len(self.rows[Attempt]),
            len(certificates), sum(row["in_person"] for row in certificates), len(assignments),
            sum(row["closed_at"] is None for row in assignments))
