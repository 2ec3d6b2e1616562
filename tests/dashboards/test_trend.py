"""The monthly chart counts every month in one pass (lms.dashboards.trend): each month must equal
the dashboard on that date, with certificates issued, revoked, expired and outdated on both sides
of the month ends, members joining, leaving and moving, and a course published mid-way."""

from __future__ import annotations

from datetime import date

import pytest

from lms.certification import standings
from lms.courses.models import CourseVersion
from lms.dashboards import queries
from lms.dashboards.trend import certified_share_by_month, month_ends
from lms.people import memberships
from tests.dashboards.test_past_dates import certify, local, make_course
from tests.factories import make_person, make_unit

TODAY = date(2026, 11, 28)
HOLDS_VALID = ("certified", "expiring")


def on(day: date, hour: int = 9):  # noqa: ANN201
    return local(day, hour)


@pytest.fixture()
def history(db, today_is):
    today_is(TODAY)
    province = make_unit("Tỉnh Nghệ An", kind="province")
    xa, other = make_unit("Xã Một", province), make_unit("Xã Hai", province)
    village = make_unit("Thôn 1", xa, kind="village", team=True)
    elsewhere = make_unit("Thôn 9", other, kind="village", team=True)
    a = make_course("a")
    b = make_course("b")
    b.versions[0].created_at = on(date(2025, 9, 15))  # published mid-way
    people = {name: make_person(unit=village, name=name) for name in
              ("renewed", "newer revoked", "chain", "tie", "no certificate", "moved")}
    people["joined and left"] = make_person(unit=village, name="joined and left",
                                            joined_on=date(2025, 7, 1))
    p = people
    certify(p["renewed"], a, on(date(2025, 1, 10)), date(2026, 1, 10))
    certify(p["renewed"], a, on(date(2026, 2, 1)), date(2028, 2, 1))
    certify(p["renewed"], b, on(date(2025, 10, 1)), None)
    # A newer certificate revoked: the older one counts again from the revocation on.
    certify(p["newer revoked"], a, on(date(2025, 2, 1)), date(2027, 2, 1))
    certify(p["newer revoked"], a, on(date(2025, 5, 1)), date(2027, 5, 1),
            revoked_at=on(date(2025, 8, 20)))
    certify(p["newer revoked"], b, on(date(2025, 9, 20)), None, revoked_at=on(date(2026, 2, 2)))
    # Revoked before the months began, then three more, two of them revoked within them.
    certify(p["chain"], a, on(date(2024, 3, 1)), None, revoked_at=on(date(2024, 6, 1)))
    certify(p["chain"], a, on(date(2025, 3, 1)), date(2025, 12, 31))
    certify(p["chain"], a, on(date(2025, 6, 1)), None, revoked_at=on(date(2025, 7, 15)))
    certify(p["chain"], a, on(date(2025, 9, 1)), None, revoked_at=on(date(2026, 1, 5)))
    certify(p["chain"], b, on(date(2025, 9, 30), 23), None)  # the last evening of a month
    # Issued at the same moment: the greater id is the newer one.
    certify(p["tie"], a, on(date(2025, 4, 1)), date(2027, 4, 1))
    certify(p["tie"], a, on(date(2025, 4, 1)), date(2025, 6, 1))
    certify(p["tie"], b, on(date(2025, 11, 1)), None)
    certify(p["joined and left"], a, on(date(2025, 1, 1)), None)
    certify(p["joined and left"], b, on(date(2025, 12, 1)), None)
    p["joined and left"].active = False
    memberships.sync(p["joined and left"], date(2026, 6, 15))
    certify(p["moved"], a, on(date(2025, 1, 5)), None)
    certify(p["moved"], b, on(date(2025, 9, 16)), None)
    p["moved"].unit, p["moved"].team = elsewhere, elsewhere.team
    memberships.sync(p["moved"], date(2026, 1, 15))
    # A version requiring recertification with 30 days of grace: outdated from 9 April 2026.
    a.versions.append(CourseVersion(version="2", requires_recertification=True, grace_days=30,
                                    created_at=on(date(2026, 3, 10))))
    db.session.flush()
    certify(p["chain"], a, on(date(2026, 5, 1)), None, version_seq=a.versions[-1].id)
    standings.refresh()
    db.session.commit()
    return {"province": province, "xa": xa, "a": a, "b": b, **people}


def single_date(root, courses, day):  # noqa: ANN001, ANN201
    """(members, certified) from the dashboard's own report on that date."""
    past = day < TODAY
    held = queries.published_by(courses, day) if past else courses
    if not held:
        return 0, 0
    counts = queries.overview_counts(root, held, day, past).total
    return counts.total, sum(counts.counts.get(key, 0) for key in HOLDS_VALID)


@pytest.mark.parametrize("area", ["xa", "province", None])
def test_every_month_equals_the_dashboard_on_its_last_day(history, area):
    root = history[area] if area else None
    for courses in ([history["a"], history["b"]], [history["a"]], [history["b"]]):
        shares = certified_share_by_month(root, courses, TODAY)
        assert [s.day for s in shares] == month_ends(TODAY)
        expected = [single_date(root, courses, day) for day in month_ends(TODAY)]
        assert [(s.members, s.certified) for s in shares] == expected


def test_the_chart_moves_when_it_should(history):
    shares = {s.day: (s.members, s.certified)
              for s in certified_share_by_month(history["xa"], [history["a"]], TODAY)}
    # July 2025: chain's June certificate was revoked on the 15th, its March one counts again;
    # of tie's two certificates issued at the same moment the newer one (expired) counts.
    assert shares[date(2025, 7, 31)] == (7, 5)
    # August 2025: newer revoked's newer certificate revoked on the 20th: the older one counts.
    assert shares[date(2025, 8, 31)] == (7, 5)
    # January 2026: renewed's had expired on the 10th (renewed in February); chain's September
    # certificate was revoked on the 5th and its March one expired on 31 December; moved left
    # the commune on the 15th.
    assert shares[date(2026, 1, 31)] == (6, 2)
    # Version 2, published on 10 March 2026, outdates from 9 April (30 days of grace).
    assert shares[date(2026, 3, 31)] == (6, 3)
    assert shares[date(2026, 4, 30)] == (6, 0)
    # May 2026: chain renewed on version 2.
    assert shares[date(2026, 5, 31)] == (6, 1)
    assert shares[TODAY] == (5, 1)


def test_more_months_than_one_pass_holds(history):
    shares = certified_share_by_month(history["xa"], [history["a"]], TODAY, months=70)
    assert len(shares) == 70 and shares[-1].day == TODAY
    assert [(s.members, s.certified) for s in shares[-24:]] == [
        (s.members, s.certified)
        for s in certified_share_by_month(history["xa"], [history["a"]], TODAY)]
    for share in shares[:3]:
        assert (share.members, share.certified) == single_date(history["xa"], [history["a"]],
                                                               share.day)
