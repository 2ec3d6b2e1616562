"""Two years of field log entries for the demo district, following its training history."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import exists, func, insert, select

from lms.certification.models import Certificate
from lms.clock import VIETNAM
from lms.extensions import db
from lms.fieldlog import tallies
from lms.fieldlog.kinds import ensure_default_kinds
from lms.fieldlog.models import ServiceKind, Visit, visit_kinds
from lms.fieldlog.synthetic import draw_visits
from lms.people.models import Person, Role

HISTORY_DAYS = 730
BATCH = 2000
CONFIRMED_AFTER = 10  # leaders have confirmed entries older than this many days


def load_logs(today: date, rng: random.Random) -> int:
    """Add the demo's visits; nothing when there are some already. Returns how many."""
    ensure_default_kinds()
    if db.session.scalar(select(exists().where(Visit.id.is_not(None)))):
        return 0
    kind_ids = list(db.session.scalars(select(ServiceKind.id).order_by(ServiceKind.position)))
    first_certificate = dict(db.session.execute(
        select(Certificate.person_id, func.min(Certificate.issued_on))
        .group_by(Certificate.person_id)).all())
    members = db.session.execute(
        select(Person.id, Person.team_id, Person.unit_id, Person.role)
        .where(Person.role.in_((Role.MEMBER, Role.LEADER)), Person.active.is_(True),
               Person.team_id.is_not(None)).order_by(Person.id)).all()
    leaders = {row.team_id: row.id for row in members if row.role == Role.LEADER}
    start, end = today - timedelta(days=HISTORY_DAYS), today
    teams: dict[int, tuple[float, date | None]] = {}  # keenness and when a team went quiet
    rows, links = [], []
    for member in members:
        keen, quiet = teams.setdefault(member.team_id, (
            rng.uniform(0.5, 1.6), today - timedelta(days=rng.randint(35, 120))
            if rng.random() < 0.07 else None))
        per_year = 20 * keen * (1.3 if member.role == Role.LEADER else 1.0)
        for drawn in draw_visits(rng, start, end, per_year, first_certificate.get(member.id),
                                 quiet):
            confirmed = (today - drawn.day).days > CONFIRMED_AFTER
            moment = datetime.combine(drawn.day, time(rng.randint(8, 19), rng.randrange(60)),
                                      VIETNAM).astimezone(UTC)
            rows.append({"person_id": member.id, "team_id": member.team_id,
                         "unit_id": member.unit_id, "visited_on": drawn.day,
                         "people_count": drawn.people, "age_band": drawn.age_band,
                         "outcome": drawn.outcome, "note": "",
                         "follow_up_closed_on": drawn.closed_on,
                         "review": "confirmed" if confirmed else "pending", "review_note": "",
                         "reviewed_by_id": leaders.get(member.team_id) if confirmed else None,
                         "recorded_by_id": member.id, "token": None, "created_at": moment})
            links.append([kind_ids[index] for index in drawn.kinds])
    for begin in range(0, len(rows), BATCH):
        ids = db.session.scalars(insert(Visit).returning(Visit.id, sort_by_parameter_order=True),
                                 rows[begin:begin + BATCH]).all()
        pairs = [{"visit_id": visit_id, "kind_id": kind_id}
                 for visit_id, kinds in zip(ids, links[begin:begin + BATCH], strict=True)
                 for kind_id in kinds]
        db.session.execute(insert(visit_kinds), pairs)
    db.session.flush()
    tallies.rebuild()  # written in bulk, without the recording service
    return len(rows)
