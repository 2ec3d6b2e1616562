"""Fill an empty database with a synthetic province or the whole country, for benchmarks.

    LMS_DATABASE_URL=... .venv/bin/python -m bench.generate --scale province|national

Areas, teams, people (ages skewed older), the shipped courses (through the normal import) and
two years of history: lesson completions, quiz attempts (question snapshots for a sample),
completions, certificates (some expired or outdated), refresher assignments and the field log
(about 20 visits per member per year, more once certified). Rows are
streamed with COPY on PostgreSQL and executemany on SQLite, with ids assigned here.
"""

from __future__ import annotations

import argparse
import hashlib
import math
import random
import time
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from sqlalchemy import func, select, text
from werkzeug.security import generate_password_hash

from bench.sink import COLUMNS, Sink

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "bench12345"  # every generated person's password
SEED = 20260101
HISTORY_DAYS = 730
SNAPSHOT_SHARE = 0.02  # attempts that keep their question snapshot rows
VISITS_PER_YEAR = 20  # field log entries per member per year, on average


@dataclass(frozen=True)
class Scale:
    provinces: int
    communes: int
    teams: int
    members: int


SCALES = {"province": Scale(1, 150, 4_500, 25_000),
          "national": Scale(34, 3_300, 75_000, 350_000),
          "tiny": Scale(1, 6, 60, 300)}  # for tests of the generator itself
# (lowest age, highest age, weight): older members dominate real teams.
AGE_MIX = ((18, 29, 8), (30, 44, 22), (45, 59, 36), (60, 78, 30))
FAMILY = ("Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ", "Đặng", "Bùi", "Đỗ", "Hà", "Lò", "Lương")
GIVEN = ("Lan", "Hoa", "Mai", "Hương", "Thu", "Hưng", "Dũng", "Bình", "Hải", "Nam", "Sơn", "Tuấn")
MIDDLE = ("Văn", "Thị", "Đức", "Ngọc", "Minh", "Thanh")
REASONS = ("Ôn tập định kỳ", "Chứng nhận đã hết hạn, cần học lại")


@dataclass(frozen=True)
class CourseInfo:
    id: int
    required: bool
    lesson_ids: list[int]
    questions: list[tuple[str, str, str, list[tuple[str, str, bool, bool]]]]
    draw: int
    pass_mark: int
    valid_months: int
    version: str
    seq: int
    release: date | None  # certificates issued before it are outdated
    max_attempts: int


def add_months(day: date, months: int) -> date:
    """The same day `months` later (clamped to the month's end)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    for last in (31, 30, 29, 28):
        try:
            return date(year, month, min(day.day, last))
        except ValueError:
            continue
    raise ValueError(day)


def load_courses(today: date) -> list[CourseInfo]:
    """Import course_content through the normal import and describe each course."""
    from lms.courses.library import import_courses, read_course_folders
    from lms.courses.models import Course
    from lms.extensions import db

    import_courses(read_course_folders(ROOT / "course_content"), now=datetime.now(UTC))
    # Published when the history begins (a version requiring recertification 200 days ago, as
    # the certificates below assume), so that reports on past dates see the courses.
    from lms.courses.models import CourseVersion

    for version in db.session.scalars(select(CourseVersion)):
        days = 200 if version.requires_recertification else HISTORY_DAYS + 1
        version.created_at = datetime.combine(today - timedelta(days=days), datetime.min.time(),
                                              tzinfo=UTC)
        version.outdates_on = today - timedelta(days=days)
    db.session.commit()
    infos = []
    for course in db.session.scalars(select(Course).order_by(Course.id)):
        quiz = course.quiz
        questions = [(q.kind, q.text_html, q.explanation_html,
                      [(o.text_md, o.text_html, o.correct, o.ignore_diacritics)
                       for o in q.options]) for q in (quiz.questions if quiz else [])]
        seq = course.versions[-1].id if course.versions else 0
        recert = bool(course.versions and course.versions[-1].requires_recertification)
        infos.append(CourseInfo(
            course.id, course.required, [lesson.id for lesson in course.lessons], questions,
            min(quiz.draw or len(questions), len(questions)) if quiz else 0,
            (quiz.pass_mark if quiz and quiz.pass_mark else course.pass_mark),
            course.certificate_valid_months or 0, course.version, seq,
            today - timedelta(days=200) if recert else None, quiz.max_attempts if quiz else 0))
    return infos


class Generator:
    """Draws the population and its history, writing rows to a Sink as it goes."""

    def __init__(self, sink: Sink, scale: Scale, courses: list[CourseInfo], today: date) -> None:
        self.sink, self.scale, self.courses, self.today = sink, scale, courses, today
        self.rng = random.Random(SEED)
        self.ids: dict[str, int] = {}
        self.now = datetime.now(UTC)
        self.start = datetime.combine(today - timedelta(days=HISTORY_DAYS), datetime.min.time(),
                                      tzinfo=UTC)
        self.codes: set[str] = set()
        self.hash = generate_password_hash(PASSWORD, method="scrypt")
        self.homes: dict[int, tuple[int, int]] = {}  # member: (village, team)
        self.leaders: dict[int, int] = {}  # team: its leader
        self.certified_on: dict[int, date] = {}  # member: their first certificate

    def next_id(self, table: str) -> int:
        self.ids[table] = self.ids.get(table, 0) + 1
        return self.ids[table]

    # --- population ---------------------------------------------------------------------------

    def population(self) -> None:
        """Provinces, communes, villages with a team each, officers, admin and members."""
        scale, rng, add = self.scale, self.rng, self.sink.add
        provinces = []
        for p in range(scale.provinces):
            uid = self.next_id("units")
            provinces.append((uid, f"/{uid}/"))
            add("units", (uid, f"BP{p:02d}", f"Tỉnh Thử nghiệm {p + 1}", "province", None,
                          f"/{uid}/", 0))
        communes = []
        for c in range(scale.communes):
            parent, path = provinces[c * scale.provinces // scale.communes]
            uid = self.next_id("units")
            communes.append((uid, f"{path}{uid}/"))
            add("units", (uid, f"BC{c:05d}", f"Xã Thử nghiệm {c + 1}", "commune", parent,
                          f"{path}{uid}/", 1))
        self.commune_officer: dict[int, int] = {}
        self.person(None, None, "Quản trị", 1970, "admin", "0900000001")
        for p, (uid, _) in enumerate(provinces):
            self.person(uid, None, f"Cán bộ tỉnh {p + 1}", 1975, "officer", f"09001{p:05d}")
        for c, (uid, _) in enumerate(communes):
            self.commune_officer[uid] = self.person(uid, None, f"Cán bộ xã {c + 1}", 1980,
                                                    "officer", f"0902{c:06d}")
        sizes = self._team_sizes()
        self.members: list[tuple[int, int, int, float, float]] = []  # id, commune, year, eng, skill
        for t in range(scale.teams):
            commune, path = communes[t * scale.communes // scale.teams]
            uid, tid = self.next_id("units"), self.next_id("teams")
            name = f"Thôn {t + 1}"
            add("units", (uid, f"BV{t:06d}", name, "village", commune, f"{path}{uid}/", 2))
            add("teams", (tid, uid, f"Tổ công nghệ số cộng đồng {name}"))
            strength = -0.35 if rng.random() < 0.08 else rng.gauss(0, 0.2)
            for m in range(sizes[t]):
                self._member(uid, tid, commune, strength, leader=m == 0)

    def _team_sizes(self) -> list[int]:
        scale, rng = self.scale, self.rng
        average = scale.members / scale.teams
        sizes = [max(1, round(rng.gauss(average, average * 0.35))) for _ in range(scale.teams)]
        while (total := sum(sizes)) != scale.members:
            t = rng.randrange(scale.teams)
            if total < scale.members:
                sizes[t] += 1
            elif sizes[t] > 1:
                sizes[t] -= 1
        return sizes

    def person(self, unit_id: int | None, team_id: int | None, name: str, year: int | None,
               role: str, phone: str) -> int:
        pid = self.next_id("people")
        gender = "female" if self.rng.random() < 0.5 else "male"
        self.sink.add("people", (pid, name, phone, None, year, gender, None, role, unit_id,
                                 team_id, True, self.hash, False, self.start))
        return pid

    def _member(self, unit_id: int, team_id: int, commune: int, strength: float,
                leader: bool) -> None:
        rng = self.rng
        low, high, _ = rng.choices(AGE_MIX, weights=[w for *_, w in AGE_MIX])[0]
        age = rng.randint(low, high)
        year = None if rng.random() < 0.04 else self.today.year - age
        name = f"{rng.choice(FAMILY)} {rng.choice(MIDDLE)} {rng.choice(GIVEN)}"
        pid = self.person(unit_id, team_id, name, year, "leader" if leader else "member",
                          f"03{len(self.members) + 1:08d}")
        self.homes[pid] = (unit_id, team_id)
        if leader:
            self.leaders[team_id] = pid
        engaged = strength + (0.15 if leader else 0) - (0.25 if age >= 60 else 0)
        engagement = 1 / (1 + math.exp(-8 * (engaged + rng.gauss(0, 0.2) + 0.1)))
        skill = min(max(0.7 + strength / 2 - (0.12 if age >= 60 else 0)
                        + rng.gauss(0, 0.1), 0.1), 0.97)
        self.members.append((pid, commune, year, engagement, skill))

    # --- field log ----------------------------------------------------------------------------

    def logs(self, kind_ids: list[int]) -> None:
        """Each member's visits over the two years (lms.fieldlog.synthetic): keen members and
        certified ones help more; a few teams went quiet in the last months."""
        from lms.fieldlog.synthetic import draw_visits

        rng, add = self.rng, self.sink.add
        start = self.today - timedelta(days=HISTORY_DAYS - 1)
        quiet: dict[int, date | None] = {}
        for pid, _commune, _year, engagement, _skill in self.members:
            unit_id, team_id = self.homes[pid]
            if team_id not in quiet:
                quiet[team_id] = (self.today - timedelta(days=rng.randint(35, 120))
                                  if rng.random() < 0.07 else None)
            # Half rate before the certificate: scale so the average stays near 20 a year.
            per_year = VISITS_PER_YEAR * (0.6 + 0.8 * engagement) * 1.4
            for visit in draw_visits(rng, start, self.today, per_year,
                                     self.certified_on.get(pid), quiet[team_id]):
                vid = self.next_id("visits")
                confirmed = (self.today - visit.day).days > 10
                add("visits", (vid, pid, team_id, unit_id, visit.day, visit.people,
                               visit.age_band, visit.outcome, "", visit.closed_on,
                               "confirmed" if confirmed else "pending", "",
                               self.leaders.get(team_id) if confirmed else None, pid, None,
                               datetime.combine(visit.day, datetime.min.time(), tzinfo=UTC)
                               + timedelta(hours=rng.randint(1, 12))))
                for index in visit.kinds:
                    add("visit_kinds", (vid, kind_ids[index]))

    # --- history ------------------------------------------------------------------------------

    def history(self) -> None:
        """Each member's journey through each course."""
        for member in self.members:
            for course in self.courses:
                self.journey(member, course)

    def moment(self, day_offset: int) -> datetime:
        return self.start + timedelta(days=day_offset,
                                      seconds=self.rng.randint(7 * 3600, 21 * 3600))

    def journey(self, member: tuple, course: CourseInfo) -> None:
        pid, commune, _year, engagement, skill = member
        rng, add = self.rng, self.sink.add
        wants = 0.12 + 0.85 * engagement if course.required else 0.03 + 0.25 * engagement
        if rng.random() >= wants:
            if course.required and rng.random() < 0.03:  # an in-person class
                self.complete(pid, commune, course, self.moment(rng.randint(30, 700)), None,
                              rng.randint(course.pass_mark, 100))
            return
        day = rng.randint(0, HISTORY_DAYS - 7)
        events: list[datetime] = []
        total = len(course.lesson_ids)
        finish = rng.random() < 0.2 + 0.75 * engagement
        done = total if finish else rng.randint(1, max(1, total - 1))
        for lesson_id in course.lesson_ids[:done]:
            if day >= HISTORY_DAYS:
                break
            events.append(self.moment(day))
            add("lesson_completions", (self.next_id("lesson_completions"), pid, lesson_id,
                                       events[-1]))
            day += rng.choice((0, 0, 0, 1, 1, 2, 3, 7))
        completed = None
        if len(events) == total and total:
            if course.questions:
                completed = self.attempts(pid, commune, course, day, skill, engagement, events)
            else:
                completed = events[-1]
                self.complete(pid, commune, course, completed, None, None)
        if events:
            add("enrolments", (self.next_id("enrolments"), pid, course.id, min(events),
                               max(events), completed))

    def attempts(self, pid: int, commune: int, course: CourseInfo, day: int, skill: float,
                 engagement: float, events: list[datetime]) -> datetime | None:
        rng = self.rng
        for number in range(1, 6):
            if day >= HISTORY_DAYS or (course.max_attempts and number > course.max_attempts):
                return None
            started = self.moment(day)
            submitted = started + timedelta(minutes=rng.randint(3, 25))
            correct = sum(rng.random() < skill for _ in range(course.draw))
            percent = round(100 * correct / course.draw) if course.draw else 0
            passed = percent >= course.pass_mark
            aid = self.next_id("attempts")
            self.sink.add("attempts", (aid, pid, course.id, number, course.version,
                                       course.pass_mark, started, None, submitted, False, correct,
                                       course.draw, percent, passed))
            if rng.random() < SNAPSHOT_SHARE:
                self.snapshot(aid, course, skill)
            events.append(submitted)
            if passed:
                self.complete(pid, commune, course, submitted, aid, percent)
                return submitted
            if rng.random() > 0.3 + 0.6 * engagement:
                return None
            day += rng.randint(1, 12)
        return None

    def snapshot(self, attempt_id: int, course: CourseInfo, skill: float) -> None:
        rng, add = self.rng, self.sink.add
        for position, (kind, text_html, explanation, options) in enumerate(
                rng.sample(course.questions, course.draw), start=1):
            qid = self.next_id("attempt_questions")
            right = rng.random() < skill
            key = hashlib.sha256(text_html.encode()).hexdigest()
            add("attempt_questions", (qid, attempt_id, position, key,
                                      kind, text_html, explanation,
                                      options[0][0] if kind == "short" and right else None,
                                      right))
            for index, (text_md, html, correct, ignore) in enumerate(options, start=1):
                add("attempt_options", (self.next_id("attempt_options"), qid, index, text_md,
                                        html, correct, ignore,
                                        kind != "short" and correct == right))

    def code(self) -> str:
        alphabet = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
        while True:
            code = "".join(self.rng.choices(alphabet, k=12))
            if code not in self.codes:
                self.codes.add(code)
                return code

    def complete(self, pid: int, commune: int, course: CourseInfo, moment: datetime,
                 attempt_id: int | None, percent: int | None, renewal: bool = False) -> None:
        """A completion and its certificate; an expired or outdated one may bring a refresher."""
        rng, add = self.rng, self.sink.add
        cid = self.next_id("completions")
        in_person = attempt_id is None and percent is not None
        add("completions", (cid, pid, course.id, moment, "in_person" if in_person else "online",
                            attempt_id, course.version, percent))
        issued = moment.date()
        if issued < self.certified_on.get(pid, date.max):
            self.certified_on[pid] = issued
        valid_until = add_months(issued, course.valid_months) if course.valid_months else None
        outdated = course.release is not None and issued < course.release
        add("certificates", (self.next_id("certificates"), self.code(), pid, course.id, cid,
                             moment, issued, valid_until, course.version,
                             0 if outdated else course.seq, in_person, commune, None, None, None))
        due = (valid_until if valid_until and valid_until < self.today + timedelta(days=60)
               else course.release + timedelta(days=30) if outdated else None)
        if renewal or due is None or rng.random() > 0.6:
            return
        created = datetime.combine(min(due, self.today) - timedelta(days=rng.randint(10, 60)),
                                   datetime.min.time(), tzinfo=UTC)
        aid = self.next_id("assignments")
        row = [aid, pid, course.id, due + timedelta(days=30), rng.choice(REASONS),
               self.commune_officer[commune], created, None, None]
        renew_day = (created.date() - self.start.date()).days + rng.randint(3, 40)
        if rng.random() < 0.45 and renew_day < HISTORY_DAYS:
            renewed = self.moment(renew_day)
            row[7], row[8] = renewed, self.ids["completions"] + 1
            self.complete(pid, commune, course, renewed, None, None, renewal=True)
        add("assignments", tuple(row))


def prepare(database_url: str) -> object:
    """The app on `database_url`, with its schema created by the migrations."""
    import os

    os.environ["LMS_DATABASE_URL"] = database_url
    from flask_migrate import upgrade

    from lms import create_app
    from lms.extensions import db
    from lms.people.models import Person

    app = create_app()
    with app.app_context():
        upgrade(directory=str(ROOT / "migrations"))
        if db.session.scalar(select(func.count()).select_from(Person)):
            raise SystemExit("The database already has people: give an empty database.")
    return app


def generate(database_url: str, scale_name: str) -> dict[str, int]:
    """Build the data set; returns row counts per table."""
    from lms.certification import standings
    from lms.extensions import db
    from lms.fieldlog import tallies
    from lms.people import memberships

    app = prepare(database_url)
    today = date.today()
    with app.app_context():
        courses = load_courses(today)
        kind_ids = list(db.session.scalars(text("SELECT id FROM service_kinds ORDER BY position")))
        engine = db.engine
        with Sink(engine) as sink:
            generator = Generator(sink, SCALES[scale_name], courses, today)
            generator.population()
            generator.history()
            generator.logs(kind_ids)
        with engine.begin() as connection:
            if engine.dialect.name == "postgresql":
                for table in sink.counts:
                    if "id" not in COLUMNS[table]:
                        continue  # a link table (visit_kinds) has no sequence
                    connection.execute(text(
                        f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                        f"(SELECT coalesce(max(id), 1) FROM {table}))"))
        began = time.perf_counter()
        standings.refresh()  # certificates were streamed in without the issuing service
        memberships.backfill()  # members since they were created, two years ago
        tallies.rebuild()  # visits too were streamed in without the recording service
        db.session.commit()
        print(f"standings rebuilt in {time.perf_counter() - began:.1f} s")
        with engine.connect() as connection:
            connection.execution_options(isolation_level="AUTOCOMMIT").execute(text("ANALYZE"))
        return sink.counts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", choices=sorted(SCALES), default="province")
    parser.add_argument("--database-url", default=None,
                        help="default: LMS_DATABASE_URL")
    args = parser.parse_args()
    import os

    url = args.database_url or os.environ.get("LMS_DATABASE_URL")
    if not url:
        raise SystemExit("Set LMS_DATABASE_URL (or --database-url).")
    began = time.perf_counter()
    counts = generate(url, args.scale)
    rows = ", ".join(f"{table} {count:,}" for table, count in counts.items())
    print(f"{args.scale}: {rows}")
    print(f"built in {time.perf_counter() - began:.1f} s")


if __name__ == "__main__":
    main()
