"""Recording visits: checks, the 7-day correction window, leaders' review, follow-ups.

Services take the actor and today's date explicitly, flush and never commit.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from lms.clock import local_today
from lms.errors import LmsError, NotFound
from lms.extensions import db
from lms.fieldlog import tallies
from lms.fieldlog.models import MAX_NOTE, MAX_PEOPLE, Outcome, Review, ServiceKind, Visit
from lms.people import services as people_services
from lms.people.ages import AGE_BANDS_BY_KEY
from lms.people.areas.units import in_subtree
from lms.people.models import Person, Role, Unit
from lms.text import has_control_character, nfc

EDIT_DAYS = 7  # a member may correct or delete their own entry this many days after writing it
RECORDERS = (Role.MEMBER, Role.LEADER)
# A date this far back is a typing mistake, not a late entry (a year of paper sheets at most).
OLDEST_DAYS = 400


@dataclass
class VisitData:
    """What a visit form or an imported row says, before checking."""

    visited_on: date | None
    unit_id: int | None
    kind_ids: list[int] = field(default_factory=list)
    people_count: int | None = 1
    age_band: str = ""
    outcome: str = Outcome.DONE.value
    note: str = ""


def allowed_area(member: Person) -> Unit | None:
    """Where a member may record help: their own village and the others of their commune
    (neighbours help each other), i.e. the subtree of their unit's parent."""
    if member.unit is None:
        return None
    return member.unit.parent or member.unit


def allowed_units(member: Person) -> list[Unit]:
    """The villages a member may choose, their own first."""
    area = allowed_area(member)
    if area is None:
        return []
    units = db.session.scalars(select(Unit).where(in_subtree(Unit.path, area.path),
                                                  ~Unit.children.any())
                               .order_by(Unit.name)).all()
    return sorted(units, key=lambda unit: unit.id != member.unit_id)


def check_visit(member: Person, data: VisitData, today: date,
                area: Unit | None = None) -> tuple[Unit, list[ServiceKind]]:
    """The unit and kinds of a valid visit; LmsError (with the field) at the first problem.

    `area` is the recorder's area (an officer's scope) when someone types for the member."""
    if data.visited_on is None:
        raise LmsError(_l("Enter the date of the visit."), field="visited_on")
    if data.visited_on > today:
        raise LmsError(_l("The date cannot be in the future."), field="visited_on")
    if data.visited_on < today - timedelta(days=OLDEST_DAYS):
        raise LmsError(_l("The date is more than a year ago. Check the year."),
                       field="visited_on")
    count = data.people_count
    if count is None or not 1 <= count <= MAX_PEOPLE:
        raise LmsError(_l("Enter how many people were helped: from 1 to %(max)d.",
                          max=MAX_PEOPLE), field="people_count")
    if data.age_band not in AGE_BANDS_BY_KEY:
        raise LmsError(_l("Choose the resident's age."), field="age_band")
    if data.outcome not in {o.value for o in Outcome}:
        raise LmsError(_l("Choose how it ended."), field="outcome")
    note = data.note or ""
    if len(note) > MAX_NOTE or has_control_character(note):
        raise LmsError(_l("The note is longer than %(max)d characters.", max=MAX_NOTE),
                       field="note")
    kinds = _kinds(data.kind_ids)
    unit = db.session.get(Unit, data.unit_id) if data.unit_id else None
    if unit is None:
        raise LmsError(_l("Choose the village."), field="unit_id")
    own = area or allowed_area(member)
    if own is None or not unit.path.startswith(own.path):
        raise LmsError(_l("%(village)s is outside your area (%(area)s): you can record help "
                          "only in your own area.", village=unit.name,
                          area=own.name if own else "-"), field="unit_id")
    return unit, kinds


def _kinds(ids: list[int]) -> list[ServiceKind]:
    wanted = set(ids)
    if not wanted:
        raise LmsError(_l("Tick at least one kind of help."), field="kinds")
    kinds = list(db.session.scalars(select(ServiceKind).where(ServiceKind.id.in_(wanted),
                                                              ServiceKind.active.is_(True))))
    if len(kinds) != len(wanted):
        raise LmsError(_l("A kind of help ticked is not on the list any more. Tick again."),
                       field="kinds")
    return sorted(kinds, key=lambda kind: kind.position)


def find_by_token(token: str | None) -> Visit | None:
    """The visit saved with this form token, if any."""
    if not token:
        return None
    return db.session.scalar(select(Visit).where(Visit.token == token))


def record_visit(member: Person, data: VisitData, *, actor: Person, today: date,
                 token: str | None = None, area: Unit | None = None) -> tuple[Visit, bool]:
    """Save a visit of `member`, typed by `actor`; (visit, created). The same form token twice
    gives back the first visit: a double press of "Save" makes one entry."""
    earlier = find_by_token(token)
    if earlier is not None:
        if earlier.person_id != member.id:
            raise NotFound()
        return earlier, False
    if member.role not in RECORDERS or not member.active:
        raise LmsError(_l("Only team members can have visits recorded."))
    unit, kinds = check_visit(member, data, today, area)
    visit = Visit(person_id=member.id, team_id=member.team_id, unit_id=unit.id,
                  visited_on=data.visited_on, people_count=data.people_count,
                  age_band=data.age_band, outcome=Outcome(data.outcome),
                  note=nfc((data.note or "").strip()), recorded_by_id=actor.id, token=token or None,
                  kinds=kinds)
    db.session.add(visit)
    db.session.flush()
    tallies.change(None, tallies.counted(visit))
    return visit, True


def editable_until(visit: Visit) -> date:
    """The last day its member may still correct or delete the entry."""
    return local_today(visit.created_at) + timedelta(days=EDIT_DAYS - 1)


def can_edit(visit: Visit, actor: Person, today: date) -> bool:
    """True for the member's own entry in its first 7 days."""
    return visit.person_id == actor.id and today <= editable_until(visit)


def own_visit(actor: Person, visit_id: int) -> Visit:
    """The actor's own visit, or NotFound."""
    visit = db.session.get(Visit, visit_id)
    if visit is None or visit.person_id != actor.id:
        raise NotFound()
    return visit


def _check_window(visit: Visit, actor: Person, today: date) -> None:
    if not can_edit(visit, actor, today):
        raise LmsError(_l("An entry can be corrected or deleted only in the %(days)d days after "
                          "it was written. Ask your team leader.", days=EDIT_DAYS))


def update_visit(visit: Visit, data: VisitData, *, actor: Person, today: date) -> Visit:
    """Correct one's own entry within the window; a leader looks at it again."""
    _check_window(visit, actor, today)
    unit, kinds = check_visit(visit.person, data, today)
    before = tallies.counted(visit)
    visit.unit, visit.unit_id, visit.visited_on = unit, unit.id, data.visited_on
    visit.people_count, visit.age_band = data.people_count, data.age_band
    visit.outcome, visit.note, visit.kinds = Outcome(data.outcome), nfc(data.note.strip()), kinds
    if visit.outcome != Outcome.FOLLOW_UP:
        visit.follow_up_closed_on = None
    visit.review, visit.review_note, visit.reviewed_by_id = Review.PENDING, "", None
    db.session.flush()
    tallies.change(before, tallies.counted(visit))
    return visit


def delete_visit(visit: Visit, *, actor: Person, today: date) -> None:
    """Delete one's own entry within the window."""
    _check_window(visit, actor, today)
    tallies.change(tallies.counted(visit), None)
    db.session.delete(visit)
    db.session.flush()


def own_visits(member: Person, limit: int = 30) -> list[Visit]:
    """The member's latest entries, newest first."""
    return list(db.session.scalars(select(Visit).where(Visit.person_id == member.id)
                                   .order_by(Visit.visited_on.desc(), Visit.id.desc())
                                   .limit(limit)))


# --- leaders ------------------------------------------------------------------------------

def visit_for_reviewer(actor: Person, visit_id: int) -> Visit:
    """A visit the actor may review: a leader's own team, an officer's area; else NotFound."""
    visit = db.session.get(Visit, visit_id)
    if visit is None or not may_review(actor, visit):
        raise NotFound()
    return visit


def may_review(actor: Person, visit: Visit) -> bool:
    """Leaders review their team's entries, officers and admins those of their area."""
    if actor.role == Role.LEADER:
        return actor.team_id is not None and visit.team_id == actor.team_id
    if actor.role in (Role.OFFICER, Role.ADMIN):
        return people_services.unit_in_scope(actor, visit.unit)
    return False


def review_visit(visit: Visit, *, actor: Person, decision: Review, note: str = "") -> None:
    """Confirm an entry, or query it with a question for the member."""
    if not may_review(actor, visit):
        raise NotFound()
    if decision == Review.QUERIED and not note.strip():
        raise LmsError(_l("Write what is unclear, so the member can answer."), field="note")
    if len(note) > MAX_NOTE:
        raise LmsError(_l("The note is longer than %(max)d characters.", max=MAX_NOTE),
                       field="note")
    visit.review, visit.review_note, visit.reviewed_by_id = decision, nfc(note.strip()), actor.id
    db.session.flush()


def confirm_all(visits: list[Visit], *, actor: Person) -> int:
    """Confirm every pending entry of the list; how many were confirmed."""
    count = 0
    for visit in visits:
        if visit.review == Review.PENDING and may_review(actor, visit):
            visit.review, visit.reviewed_by_id = Review.CONFIRMED, actor.id
            count += 1
    db.session.flush()
    return count


def close_follow_up(visit: Visit, *, actor: Person, today: date) -> None:
    """Mark a follow-up as done (the member who helped, their leader or an officer)."""
    if visit.person_id != actor.id and not may_review(actor, visit):
        raise NotFound()
    if visit.outcome != Outcome.FOLLOW_UP:
        raise LmsError(_l("This visit needs no follow-up."))
    if visit.follow_up_closed_on is None:
        before = tallies.counted(visit)
        visit.follow_up_closed_on = today
        db.session.flush()
        tallies.change(before, tallies.counted(visit))


def week_of(day: date) -> tuple[date, date]:
    """Monday and the next Monday of the week holding `day`."""
    monday = day - timedelta(days=day.weekday())
    return monday, monday + timedelta(days=7)


def team_week(team_id: int, monday: date) -> list[Visit]:
    """A team's entries of the week starting `monday`, by day."""
    return list(db.session.scalars(
        select(Visit).where(Visit.team_id == team_id, Visit.visited_on >= monday,
                            Visit.visited_on < monday + timedelta(days=7))
        .order_by(Visit.visited_on, Visit.id)))


def open_follow_ups(team_id: int, limit: int = 100) -> list[Visit]:
    """A team's follow-ups not yet closed, oldest first."""
    return list(db.session.scalars(
        select(Visit).where(Visit.team_id == team_id, Visit.outcome == Outcome.FOLLOW_UP,
                            Visit.follow_up_closed_on.is_(None))
        .order_by(Visit.visited_on, Visit.id).limit(limit)))
