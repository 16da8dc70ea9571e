"""The case list in one call: each case with the few times a console shows (call, first medical
contact, handover, door-in), its last activity and whether it went stale.

``digest`` is pure (plain values in, plain values out); ``case_times`` reads what it needs for a
whole page of cases in a few grouped queries, whatever the number of cases."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import exists, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from dispatch.cases.models import Case, CaseAction, CaseEvent

# The first current stamp of each of these is listed with the case.
LISTED_MILESTONES = ("call_received", "first_medical_contact", "handover", "facility_arrival")


@dataclass
class CaseTimes:
    """What the list shows of one case's timeline and history."""

    first: dict[str, datetime] = field(default_factory=dict)  # milestone → earliest current stamp
    arrived_at_facility: str | None = None  # the facility of the latest current door-in
    last_change: datetime | None = None  # the latest stamp received or action taken


@dataclass(frozen=True)
class Digest:
    """The listed times of a case, its last activity and whether it is stale."""

    call_received_at: datetime | None
    fmc_at: datetime | None
    handover_at: datetime | None
    arrived_at: datetime | None
    arrived_facility_id: str | None
    last_activity_at: datetime
    stale: bool


def digest(
    status: str, created_at: datetime, times: CaseTimes, now: datetime, stale_after: timedelta
) -> Digest:
    """The case's listed times; an active case untouched for ``stale_after`` is stale."""
    last = max(created_at, times.last_change or created_at)
    return Digest(
        call_received_at=times.first.get("call_received"),
        fmc_at=times.first.get("first_medical_contact"),
        handover_at=times.first.get("handover"),
        arrived_at=times.first.get("facility_arrival"),
        arrived_facility_id=times.arrived_at_facility,
        last_activity_at=last,
        stale=status == "active" and now - last > stale_after,
    )


async def case_times(db: AsyncSession, cases: Sequence[Case]) -> dict[int, CaseTimes]:
    """The listed times of each case, by case id (the same few queries for a whole page)."""
    ids = [case.id for case in cases]
    found: dict[int, CaseTimes] = {case_id: CaseTimes() for case_id in ids}
    if not ids:
        return found
    correction = aliased(CaseEvent)
    current = ~exists().where(correction.supersedes == CaseEvent.id)
    firsts = await db.execute(
        select(CaseEvent.case_id, CaseEvent.milestone, func.min(CaseEvent.at))
        .where(CaseEvent.case_id.in_(ids), CaseEvent.milestone.in_(LISTED_MILESTONES), current)
        .group_by(CaseEvent.case_id, CaseEvent.milestone)
    )
    for case_id, milestone, at in firsts:
        found[case_id].first[milestone] = at
    doors = await db.execute(
        select(CaseEvent.case_id, CaseEvent.facility_id)
        .where(CaseEvent.case_id.in_(ids), CaseEvent.milestone == "facility_arrival", current)
        .order_by(CaseEvent.at, CaseEvent.id)
    )
    for case_id, facility_id in doors:  # the latest door-in wins
        found[case_id].arrived_at_facility = facility_id
    stamped = await db.execute(
        select(CaseEvent.case_id, func.max(CaseEvent.received_at))
        .where(CaseEvent.case_id.in_(ids))
        .group_by(CaseEvent.case_id)
    )
    acted = await db.execute(
        select(CaseAction.case_id, func.max(CaseAction.at))
        .where(CaseAction.case_id.in_(ids))
        .group_by(CaseAction.case_id)
    )
    _latest(found, [(row[0], row[1]) for row in stamped])
    _latest(found, [(row[0], row[1]) for row in acted])
    return found


def _latest(found: dict[int, CaseTimes], rows: Iterable[tuple[int, datetime | None]]) -> None:
    for case_id, at in rows:
        times = found[case_id]
        if at is not None and (times.last_change is None or at > times.last_change):
            times.last_change = at
