"""The words of the effectiveness criteria: names, values with their units, reason lines."""

from __future__ import annotations

from flask_babel import format_decimal
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from lms.fieldlog.criteria import Part, reasons
from lms.fieldlog.effectiveness import TeamEffect

CRITERION_LABELS = {
    "certified": _l("Members certified (%)"),
    "older_certified": _l("Members aged 60+ certified (%)"),
    "refreshers_on_time": _l("Refreshers done on time (%)"),
    "people_per_member": _l("People helped per member per month"),
    "kinds_covered": _l("Kinds of help given in 90 days"),
    "follow_ups_closed": _l("Follow-ups closed (%)"),
}
GROUP_LABELS = {"training": _l("Training"), "activity": _l("Help given")}


def value_text(part: Part) -> str:
    """A criterion's value as shown: "—" when there was nothing to measure."""
    if part.value is None:
        return "—"
    if part.key == "people_per_member":
        return format_decimal(round(part.value, 1), format="0.0")
    return str(int(part.value + 0.5))


def reason_line(effect: TeamEffect) -> str:
    """What costs the team points, costliest first ("People helped per member per month 1.2
    of 4 (−18)")."""
    return "; ".join(
        _("%(criterion)s: %(value)s of %(target)d (−%(points)d)", criterion=CRITERION_LABELS[
            part.key], value=value_text(part), target=part.target, points=int(part.lost + 0.5))
        for part in reasons(effect.parts))
