"""Data-quality findings on a new time stamp. Pure: findings are flags, never refusals.

- ``out_of_order``: earlier than a stamp that should come before it, or later than one that
  should come after it (the pairs in ``milestones.PRECEDES``);
- ``implausible``: long before the case was opened (or, for symptom onset, weeks before);
- ``future``: after the server received it (within the allowed clock drift, else refused);
- ``clock_skew``: the device's own clock was more than the allowed skew off the server's;
- ``outside_pathway``: a milestone the case's pathway does not use;
- ``facility_not_on_case`` (set by ``events``): a data manager's stamp at a facility the case
  had not yet reached (a paper record entered in its own order).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from dispatch.cases.intervals import Stamp, current
from dispatch.cases.milestones import PRECEDES

BEFORE: dict[str, set[str]] = {}
AFTER: dict[str, set[str]] = {}
for _a, _b in PRECEDES:
    AFTER.setdefault(_a, set()).add(_b)
    BEFORE.setdefault(_b, set()).add(_a)


@dataclass(frozen=True)
class QualityRules:
    max_clock_skew: timedelta = timedelta(minutes=2)
    max_before_case: timedelta = timedelta(hours=48)
    max_onset_before_case: timedelta = timedelta(days=30)


def flags_for(
    milestone: str,
    at: datetime,
    received_at: datetime,
    device_at: datetime | None,
    case_created_at: datetime,
    pathway_milestones: Iterable[str],
    existing: Iterable[Stamp],
    rules: QualityRules = QualityRules(),
) -> list[str]:
    """The findings on a stamp about to be added to a case (empty: nothing to note)."""
    found: list[str] = []
    for stamp in current(existing):
        if (stamp.milestone in BEFORE.get(milestone, ()) and stamp.at > at) or (
            stamp.milestone in AFTER.get(milestone, ()) and stamp.at < at
        ):
            found.append("out_of_order")
            break
    allowance = (
        rules.max_onset_before_case if milestone == "symptom_onset" else rules.max_before_case
    )
    if at < case_created_at - allowance:
        found.append("implausible")
    if at > received_at:
        found.append("future")
    if device_at is not None and abs(device_at - received_at) > rules.max_clock_skew:
        found.append("clock_skew")
    if milestone not in set(pathway_milestones):
        found.append("outside_pathway")
    return found
