"""Units (the area tree), teams and people."""

from __future__ import annotations

import enum
import unicodedata
from datetime import date, datetime

from flask_login import UserMixin
from sqlalchemy import (
    CheckConstraint,
    Date,
    DateTime,
    Enum,
    ForeignKey,
    Index,
    Integer,
    SmallInteger,
    String,
    func,
    text,
)
from sqlalchemy.dialects import postgresql
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from lms.clock import utc_now
from lms.extensions import db

# Byte order on both databases, so that the materialised-path range query
# (path >= '/1/5/' AND path < '/1/50') means "starts with" and uses the index.
PathType = String(255).with_variant(postgresql.VARCHAR(255, collation="C"), "postgresql")


class Role(enum.StrEnum):
    MEMBER = "member"
    LEADER = "leader"
    TRAINER = "trainer"
    OFFICER = "officer"
    ADMIN = "admin"


class Gender(enum.StrEnum):
    FEMALE = "female"
    MALE = "male"
    OTHER = "other"


def _enum(kind: type[enum.Enum], name: str) -> Enum:
    return Enum(kind, name=name, native_enum=False, length=16, values_callable=_values,
                validate_strings=True, create_constraint=True)


def _values(kind: type[enum.Enum]) -> list[str]:
    return [member.value for member in kind]


class Unit(db.Model):
    """An administrative unit; `kind` is a label, so the tree may have any depth."""

    __tablename__ = "units"
    __table_args__ = (Index("ix_units_path", "path", unique=True),)

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(40))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"), index=True)
    # "/<root id>/.../<own id>/": every descendant's path starts with it.
    path: Mapped[str] = mapped_column(PathType, default="")
    depth: Mapped[int] = mapped_column(Integer, default=0)

    parent: Mapped[Unit | None] = relationship(remote_side=[id], back_populates="children")
    children: Mapped[list[Unit]] = relationship(back_populates="parent", order_by="Unit.name")
    team: Mapped[Team | None] = relationship(back_populates="unit", uselist=False)

    def __repr__(self) -> str:
        return f"<Unit {self.code} {self.name}>"


class Team(db.Model):
    """A community digital technology team: one per village-level unit."""

    __tablename__ = "teams"

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), unique=True)
    name: Mapped[str] = mapped_column(String(200))

    unit: Mapped[Unit] = relationship(back_populates="team")
    members: Mapped[list[Person]] = relationship(back_populates="team")


# A salted PBKDF2 of 1 000 rounds (about 0.3 ms) for random temporary passwords of at least
# 60 bits; chosen passwords keep scrypt (about 0.1 s), which a guessable password needs.
TEMPORARY_HASH_METHOD = "pbkdf2:sha256:1000"


def canonical_password(password: str) -> str:
    """The password as it is hashed: without surrounding spaces (phone keyboards add one after
    a word), in NFC (Vietnamese keyboards differ in how they compose diacritics)."""
    return unicodedata.normalize("NFC", password.strip())


class Person(UserMixin, db.Model):
    """A member, leader, trainer, officer or admin; the phone number is the login."""

    __tablename__ = "people"
    __table_args__ = (
        CheckConstraint("birth_year IS NULL OR (birth_year BETWEEN 1900 AND 2100)",
                        name="birth_year_range"),
        CheckConstraint("role <> 'officer' OR unit_id IS NOT NULL", name="officer_has_scope"),
        CheckConstraint("text_size IS NULL OR text_size IN (100, 125, 150, 175, 200)",
                        name="text_size_step"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    full_name: Mapped[str] = mapped_column(String(200), index=True)
    phone: Mapped[str] = mapped_column(String(20), unique=True)
    email: Mapped[str | None] = mapped_column(String(254))
    birth_year: Mapped[int | None] = mapped_column(Integer, index=True)
    gender: Mapped[Gender | None] = mapped_column(_enum(Gender, "gender"))
    position: Mapped[str | None] = mapped_column(String(200))
    role: Mapped[Role] = mapped_column(_enum(Role, "role"), default=Role.MEMBER, index=True)
    # Home unit; for an officer also the scope (this unit and everything below it).
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"), index=True)
    team_id: Mapped[int | None] = mapped_column(ForeignKey("teams.id"), index=True)
    active: Mapped[bool] = mapped_column(default=True)
    password_hash: Mapped[str] = mapped_column(String(255), default="")
    must_change_password: Mapped[bool] = mapped_column(default=False)
    # Percent of the normal text size the person chose (lms/text_size.py); None: not chosen.
    text_size: Mapped[int | None] = mapped_column(SmallInteger)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utc_now,
                                                 server_default=func.now())

    unit: Mapped[Unit | None] = relationship()
    team: Mapped[Team | None] = relationship(back_populates="members")

    # The login this request came with (a LoginSession, set by lms.people.logins); not stored.
    login = None

    def set_password(self, password: str) -> None:
        """Hash and store a new password, without its surrounding spaces (the services end the
        person's open logins)."""
        self.password_hash = generate_password_hash(canonical_password(password), method="scrypt")

    def set_temporary_password(self, password: str) -> None:
        """Store a random temporary password with the fast hash: its entropy, not the hash's
        cost, protects it (docs/operations.md, "Temporary passwords"); the first login must
        replace it, and the new password gets the slow hash."""
        self.password_hash = generate_password_hash(password, method=TEMPORARY_HASH_METHOD)

    @property
    def has_temporary_hash(self) -> bool:
        return self.password_hash.startswith(TEMPORARY_HASH_METHOD + "$")

    def check_password(self, password: str) -> bool:
        """True when `password` matches the stored hash, surrounding spaces aside.

        Passwords set before spaces were trimmed were hashed as typed: those still match when
        typed exactly as they were set."""
        if not self.password_hash:
            return False
        canonical = canonical_password(password)
        return (check_password_hash(self.password_hash, canonical)
                or (password != canonical and check_password_hash(self.password_hash, password)))

    def get_id(self) -> str:
        """Flask-Login's identifier, kept in the session and the remember cookie: the person
        and the login's random token, so that ending the login on the server refuses both."""
        if self.login is None:
            raise RuntimeError("log in through lms.people.logins.start_login")
        return f"{self.id}.{self.login.token}"

    # Identity, not Flask-Login's comparison of get_id(), which depends on the login.
    __eq__ = object.__eq__
    __ne__ = object.__ne__
    __hash__ = object.__hash__

    @property
    def is_active(self) -> bool:
        return self.active

    def has_role(self, *roles: Role) -> bool:
        """True when the person's role is one of `roles`."""
        return self.role in roles

    @property
    def is_admin(self) -> bool:
        return self.role == Role.ADMIN

    @property
    def manages_people(self) -> bool:
        return self.role in (Role.ADMIN, Role.OFFICER)

    def __repr__(self) -> str:
        return f"<Person {self.id} {self.phone}>"


class LoginSession(db.Model):
    """One login on one device: the server's half of the login cookie. Logging out deletes the
    row, so a copy of the cookie no longer works (docs/operations.md, "Logins")."""

    __tablename__ = "login_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), index=True)
    # SHA-256 of the random token in the cookie: the database alone cannot make a cookie.
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    remember: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))

    # The token itself, known only while the request that made or presented it runs.
    token = None


class Membership(db.Model):
    """A period in which a person was counted as a member (or leader) of a unit and its team:
    reports on a past date count the members of that date. Kept by lms.people.memberships."""

    __tablename__ = "memberships"
    __table_args__ = (
        CheckConstraint("left_on IS NULL OR left_on >= joined_on", name="left_after_joining"),
        Index("ix_memberships_unit_dates", "unit_id", "joined_on", "left_on"),
        # One open period per person.
        Index("ix_memberships_one_open", "person_id", unique=True,
              sqlite_where=text("left_on IS NULL"), postgresql_where=text("left_on IS NULL")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"),
                                           index=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))
    team_id: Mapped[int | None] = mapped_column(ForeignKey("teams.id"))
    # Member from joined_on (included) until left_on (excluded); open while left_on is NULL.
    joined_on: Mapped[date] = mapped_column(Date)
    left_on: Mapped[date | None] = mapped_column(Date)
