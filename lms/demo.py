"""Demo data shaped like the real case: Như Xuân, Thanh Hóa, with 127 village teams."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, timedelta

import click
from flask.cli import AppGroup
from sqlalchemy import select
from werkzeug.security import generate_password_hash

from lms.clock import local_today
from lms.demo_history import HISTORY_DAYS, HistorySummary, load_history
from lms.extensions import db
from lms.fieldlog.demo import load_logs
from lms.people import memberships
from lms.people.areas.imports import import_administrative_units
from lms.people.areas.units import create_unit, ensure_team, get_unit_by_code, move_unit
from lms.people.models import Gender, Person, Role, Unit

PROVINCE_CODE = "38"  # Thanh Hóa in the vietnam-provinces package
DISTRICT_CODE = "38-NX"
# Communes of the former Như Xuân district (codes from vietnam-provinces) and their village counts.
COMMUNES = (("16174", 17), ("16177", 16), ("16186", 16), ("16219", 16), ("16207", 16),
            ("16234", 16), ("16249", 15), ("16225", 15))
MEMBER_PASSWORD = "demo12345"
STAFF = (
    # phone, name, role, unit code, birth year
    ("0900000001", "Quản trị hệ thống", Role.ADMIN, None, 1985),
    ("0900000002", "Lê Hải Hà", Role.OFFICER, DISTRICT_CODE, 1978),
    ("0900000003", "Hà Thị Mai", Role.OFFICER, "16174", 1982),
    ("0900000004", "Lò Văn Thắng", Role.OFFICER, "16186", 1975),
    ("0900000005", "Nguyễn Thị Thu Hương", Role.TRAINER, DISTRICT_CODE, 1988),
    ("0900000006", "Trần Văn Minh", Role.TRAINER, PROVINCE_CODE, 1980),
)
FAMILY = ("Lê", "Nguyễn", "Trần", "Phạm", "Hoàng", "Vi", "Lò", "Hà", "Lương", "Cầm", "Lang",
          "Quách", "Bùi", "Đỗ", "Ngân")
MIDDLE_F = ("Thị", "Thị Thu", "Thị Hồng", "Thị Lan", "Thị Kim")
MIDDLE_M = ("Văn", "Đình", "Xuân", "Minh", "Hữu", "Công")
GIVEN_F = ("Dung", "Hoa", "Lan", "Mai", "Hương", "Nga", "Thảo", "Yến", "Hằng", "Liên", "Nhung")
GIVEN_M = ("Hưng", "Dũng", "Thắng", "Bình", "Cường", "Hải", "Long", "Nam", "Sơn", "Tuấn", "Việt")
POSITIONS = ("Trưởng thôn", "Công an viên", "Chi hội trưởng phụ nữ", "Bí thư chi đoàn",
             "Y tế thôn bản", "Giáo viên", "Người dân", "Người dân", "Người dân", "Cựu chiến binh")
# (lowest age, highest age, weight): about 40 % of members are 50 or older, as in real teams.
AGE_MIX = ((18, 29, 12), (30, 44, 28), (45, 49, 20), (50, 59, 22), (60, 74, 18))


@dataclass
class DemoSummary:
    units_created: int = 0
    people_created: int = 0
    accounts: list[tuple[str, str, str]] = field(default_factory=list)
    history: HistorySummary = field(default_factory=HistorySummary)
    visits: int = 0


def _random_person(rng: random.Random, year: int) -> tuple[str, Gender, int]:
    gender = rng.choice((Gender.FEMALE, Gender.MALE))
    middle, given = (MIDDLE_F, GIVEN_F) if gender == Gender.FEMALE else (MIDDLE_M, GIVEN_M)
    name = f"{rng.choice(FAMILY)} {rng.choice(middle)} {rng.choice(given)}"
    low, high, _ = rng.choices(AGE_MIX, weights=[w for *_, w in AGE_MIX])[0]
    return name, gender, year - rng.randint(low, high)


def _ensure_units(summary: DemoSummary) -> list[Unit]:
    import_administrative_units({PROVINCE_CODE})
    province = get_unit_by_code(PROVINCE_CODE)
    district = get_unit_by_code(DISTRICT_CODE) or create_unit(
        code=DISTRICT_CODE, name="Huyện Như Xuân (cũ)", kind="district", parent=province)
    villages = []
    for commune_code, count in COMMUNES:
        commune = get_unit_by_code(commune_code)
        if commune.parent_id != district.id:
            move_unit(commune, district)
            commune = get_unit_by_code(commune_code)
        town_like = commune_code == "16174"  # the former Yên Cát town has neighbourhoods
        for number in range(1, count + 1):
            code = f"{commune_code}-{number:02d}"
            village = get_unit_by_code(code)
            if village is None:
                kind, label = ("neighbourhood", "Khu phố") if town_like else ("village", "Thôn")
                village = create_unit(code=code, name=f"{label} {number}, {commune.name}",
                                      kind=kind, parent=commune)
                summary.units_created += 1
            ensure_team(village)
            villages.append(village)
    return villages


def load_demo(today: date | None = None) -> DemoSummary:
    """Create the demo area tree, teams and people; running it again adds nothing."""
    today = today or local_today()
    summary = DemoSummary()
    rng = random.Random(127)
    villages = _ensure_units(summary)
    existing = set(db.session.scalars(select(Person.phone)))
    staff_hash = generate_password_hash("demo-staff-2026", method="scrypt")
    member_hash = generate_password_hash(MEMBER_PASSWORD, method="scrypt")
    for phone, name, role, unit_code, birth_year in STAFF:
        summary.accounts.append((role.value, phone, "demo-staff-2026"))
        if phone not in existing:
            unit = get_unit_by_code(unit_code) if unit_code else None
            db.session.add(Person(full_name=name, phone=phone, role=role, unit=unit,
                                  birth_year=birth_year, password_hash=staff_hash))
            summary.people_created += 1
    serial = 0
    for village in villages:
        for seat in range(rng.randint(5, 9)):
            serial += 1
            phone = f"039{serial:07d}"
            name, gender, birth_year = _random_person(rng, today.year)
            role = Role.LEADER if seat == 0 else Role.MEMBER
            position = "Tổ trưởng tổ công nghệ số" if seat == 0 else rng.choice(POSITIONS)
            if seat == 0 and village is villages[0]:
                summary.accounts.append(("leader", phone, MEMBER_PASSWORD))
            if seat == 1 and village is villages[0]:
                summary.accounts.append(("member", phone, MEMBER_PASSWORD))
            if phone in existing:
                continue
            db.session.add(Person(full_name=name, phone=phone, role=role, unit=village,
                                  team=village.team, birth_year=birth_year, gender=gender,
                                  position=position, password_hash=member_hash))
            summary.people_created += 1
    db.session.flush()
    # Members since the history begins, so that reports on past dates count them.
    memberships.backfill(joined_on=today - timedelta(days=HISTORY_DAYS), left_on=today)
    summary.history = load_history(today, random.Random(2024))
    # Help given at the door, after the training history it follows (lms.fieldlog).
    summary.visits = load_logs(today, random.Random(19))
    return summary


@click.command("demo")
def demo_command() -> None:
    """Load the demo data (idempotent) and print the accounts to try."""
    summary = load_demo()
    db.session.commit()
    click.echo(f"Demo data: {summary.units_created} units and {summary.people_created} people "
               f"created.")
    click.echo(summary.history.line())
    click.echo(f"Field log: {summary.visits} visits added.")
    click.echo("Accounts (role, phone, password):")
    for role, phone, password in summary.accounts:
        click.echo(f"  {role:8} {phone}  {password}")


def register(group: AppGroup) -> None:
    """Add the demo command to `group`."""
    group.add_command(demo_command)
