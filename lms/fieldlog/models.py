"""Service kinds, visits (help given at a door) and the effectiveness weights."""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Column,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    SmallInteger,
    String,
    Table,
    func,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.clock import utc_now
from lms.extensions import db
from lms.people.models import Person, Team, Unit, _enum

MAX_PEOPLE = 30  # one doorstep visit: a household, or a small group at the village hall
MAX_NOTE = 200


class Outcome(enum.StrEnum):
    DONE = "done"
    FOLLOW_UP = "follow_up"
    REFERRED = "referred"


class Review(enum.StrEnum):
    """A leader's word on an entry: not yet looked at, confirmed, or queried (asked about)."""

    PENDING = "pending"
    CONFIRMED = "confirmed"
    QUERIED = "queried"


class ServiceKind(db.Model):
    """What a resident was helped with; admins keep the list (names in both languages)."""

    __tablename__ = "service_kinds"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name_vi: Mapped[str] = mapped_column(String(120))
    name_en: Mapped[str] = mapped_column(String(120))
    position: Mapped[int] = mapped_column(Integer, default=0)
    active: Mapped[bool] = mapped_column(default=True)

    def name(self, language: str) -> str:
        """The name in `language` ("vi" or "en")."""
        return self.name_en if language == "en" else self.name_vi


visit_kinds = Table(
    "visit_kinds", db.metadata,
    Column("visit_id", ForeignKey("visits.id", ondelete="CASCADE"), primary_key=True),
    Column("kind_id", ForeignKey("service_kinds.id"), primary_key=True, index=True),
)


class Visit(db.Model):
    """One visit to a resident's door by a team member: no name, phone or ID of the resident."""

    __tablename__ = "visits"
    __table_args__ = (
        CheckConstraint(f"people_count BETWEEN 1 AND {MAX_PEOPLE}", name="people_count_range"),
        Index("ix_visits_unit_day", "unit_id", "visited_on"),
        Index("ix_visits_team_day", "team_id", "visited_on"),
        Index("ix_visits_person_day", "person_id", "visited_on"),
        # The whole country's visits of a few days (the reporting month's correction).
        Index("ix_visits_day", "visited_on"),
        # Follow-ups open on a date: those open now, and those closed after it (reports).
        Index("ix_visits_follow_ups", "outcome", "follow_up_closed_on", "visited_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # The member who helped, the team they were in and the village the help was given in.
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"))
    team_id: Mapped[int | None] = mapped_column(ForeignKey("teams.id"))
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))
    visited_on: Mapped[date] = mapped_column(Date)
    people_count: Mapped[int] = mapped_column(SmallInteger, default=1)
    age_band: Mapped[str] = mapped_column(String(16))
    outcome: Mapped[Outcome] = mapped_column(_enum(Outcome, "outcome"), default=Outcome.DONE)
    note: Mapped[str] = mapped_column(String(MAX_NOTE), default="")
    follow_up_closed_on: Mapped[date | None] = mapped_column(Date)
    review: Mapped[Review] = mapped_column(_enum(Review, "review"), default=Review.PENDING)
    review_note: Mapped[str] = mapped_column(String(MAX_NOTE), default="")
    reviewed_by_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))
    # Who typed it: the member, or a leader or officer copying a paper sheet.
    recorded_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("people.id", ondelete="SET NULL"))
    # The form's one-time token: a second press of "Save" finds the first entry, not a new one.
    token: Mapped[str | None] = mapped_column(String(40), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utc_now,
                                                 server_default=func.now())

    person: Mapped[Person] = relationship(foreign_keys=[person_id])
    team: Mapped[Team | None] = relationship()
    unit: Mapped[Unit] = relationship()
    kinds: Mapped[list[ServiceKind]] = relationship(secondary=visit_kinds,
                                                    order_by=ServiceKind.position)

    @property
    def open_follow_up(self) -> bool:
        return self.outcome == Outcome.FOLLOW_UP and self.follow_up_closed_on is None


class EffectivenessSetting(db.Model):
    """A criterion's weight and target for a province (unit) or, with no unit, everywhere."""

    __tablename__ = "effectiveness_settings"
    __table_args__ = (
        Index("ix_effectiveness_unit_criterion", "unit_id", "criterion", unique=True),
        CheckConstraint("weight BETWEEN 0 AND 100", name="weight_range"),
        CheckConstraint("target > 0", name="target_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id", ondelete="CASCADE"))
    criterion: Mapped[str] = mapped_column(String(40))
    weight: Mapped[int] = mapped_column(Integer)
    target: Mapped[int] = mapped_column(Integer)


class VisitTally(db.Model):
    """Visits, people helped and follow-ups still open per unit, month and age band: every
    visit counts in its village's rows and in those of each unit above it, so an area's report
    reads its own unit's rows. Kept in step by lms.fieldlog.tallies."""

    __tablename__ = "visit_tallies"
    __table_args__ = (
        Index("ix_visit_tallies_key", "unit_id", "month", "age_band", unique=True),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id", ondelete="CASCADE"))
    month: Mapped[date] = mapped_column(Date)  # the first day
    age_band: Mapped[str] = mapped_column(String(16))
    visits: Mapped[int] = mapped_column(Integer, default=0)
    people: Mapped[int] = mapped_column(Integer, default=0)
    open_follow_ups: Mapped[int] = mapped_column(Integer, default=0)


class VisitKindTally(db.Model):
    """Visits and people helped per unit (every unit above the village too), month and kind."""

    __tablename__ = "visit_kind_tallies"
    __table_args__ = (
        Index("ix_visit_kind_tallies_key", "unit_id", "month", "kind_id", unique=True),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id", ondelete="CASCADE"))
    month: Mapped[date] = mapped_column(Date)
    kind_id: Mapped[int] = mapped_column(ForeignKey("service_kinds.id", ondelete="CASCADE"))
    visits: Mapped[int] = mapped_column(Integer, default=0)
    people: Mapped[int] = mapped_column(Integer, default=0)


class EffectivenessSnapshot(db.Model):
    """The effectiveness page's figures for one area on one day, as computed at `computed_at`
    by lms.fieldlog.snapshots (in the background): the page reads these few rows instead of a
    year of visits. One per area: a newer one replaces it."""

    __tablename__ = "effectiveness_snapshots"
    __table_args__ = (Index("ix_effectiveness_snapshots_unit", "unit_id", unique=True),)

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id", ondelete="CASCADE"))
    day: Mapped[date] = mapped_column(Date)  # the date the figures are for
    computed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    # The weights and targets the scores were computed with: {criterion: [weight, target]}.
    settings: Mapped[dict] = mapped_column(JSON)
    members_certified: Mapped[int] = mapped_column(Integer)
    members_other: Mapped[int] = mapped_column(Integer)


class EffectivenessTeamFigure(db.Model):
    """One team's criteria values and score in a snapshot; `position` is its place, weakest
    first (score, then name)."""

    __tablename__ = "effectiveness_team_figures"
    __table_args__ = (Index("ix_effectiveness_team_figures_position", "snapshot_id",
                            "position", unique=True),)

    snapshot_id: Mapped[int] = mapped_column(
        ForeignKey("effectiveness_snapshots.id", ondelete="CASCADE"), primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"),
                                         primary_key=True, index=True)
    position: Mapped[int] = mapped_column(Integer)
    score: Mapped[int] = mapped_column(Integer)
    certified: Mapped[float] = mapped_column(Float)
    older_certified: Mapped[float] = mapped_column(Float)
    refreshers_on_time: Mapped[float | None] = mapped_column(Float)
    people_per_member: Mapped[float] = mapped_column(Float)
    kinds_covered: Mapped[float] = mapped_column(Float)
    follow_ups_closed: Mapped[float | None] = mapped_column(Float)


class EffectivenessHelpFigure(db.Model):
    """People helped in the 12 months of a snapshot, per kind, by its area's members certified
    on every required course and by the others ("does training relate to help?")."""

    __tablename__ = "effectiveness_help_figures"

    snapshot_id: Mapped[int] = mapped_column(
        ForeignKey("effectiveness_snapshots.id", ondelete="CASCADE"), primary_key=True)
    kind_id: Mapped[int] = mapped_column(ForeignKey("service_kinds.id", ondelete="CASCADE"),
                                         primary_key=True)
    people_certified: Mapped[int] = mapped_column(Integer)
    people_other: Mapped[int] = mapped_column(Integer)
