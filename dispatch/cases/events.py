"""Recording time stamps: append-only, idempotent, with data-quality flags.

A retry with the same Idempotency-Key returns the event the first request made (the database's
unique index decides the race, so 20 concurrent sends make one event). A correction is a new
event naming the one it supersedes, with a reason; the old one stays, marked.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import bindparam, select, text
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from alerts import service as alerts_service
from dispatch.cases import quality
from dispatch.cases.exceptions import (
    AlreadySuperseded,
    CaseClosed,
    IdempotencyMismatch,
    InvalidEvent,
    TransferFirst,
)
from dispatch.cases.hooks import CaseHooks
from dispatch.cases.intervals import Stamp, facility_at, legs
from dispatch.cases.milestones import FACILITY_MILESTONES, IN_FACILITY_MILESTONES
from dispatch.cases.models import Case, CaseEvent
from dispatch.cases.pathways import defined_milestones, load_pathways
from dispatch.cases.schemas import EventIn
from geo.points import check_not_future
from units.exceptions import NotFound
from units.idempotency import request_hash
from units.models import Facility


def in_facility(milestone: str) -> bool:
    """Whether the milestone happens inside a facility (core, or as the pathway file says)."""
    if milestone in IN_FACILITY_MILESTONES:
        return True
    defined = defined_milestones().get(milestone)
    return defined is not None and defined.in_facility


_CASE_EVENTS = (
    select(CaseEvent)
    .where(CaseEvent.case_id == bindparam("case_id"))
    .order_by(CaseEvent.at, CaseEvent.id)
)  # built once: every alert and stamp reads its case's events


async def case_events(db: AsyncSession, case_id: int) -> Sequence[CaseEvent]:
    """All of a case's events, in clinical time order."""
    return (await db.scalars(_CASE_EVENTS, {"case_id": case_id})).all()


@dataclass(frozen=True)
class CaseRecord:
    """A case as a write reads it once, under the case's row lock (``actions.locked_record``):
    its events and the facilities it was transferred to, handed on to the checks, the stamp
    and the read model instead of each reading them again."""

    case: Case
    events: list[CaseEvent]
    transferred: frozenset[str]

    @property
    def stamps(self) -> list[Stamp]:
        return stamps_of(self.events)


_LOCKED = "infofirst.locked_cases"  # db.info: the records of the cases this transaction locked


def remember(db: AsyncSession, record: CaseRecord) -> None:
    """Keep the record of a case this transaction holds locked, for the stamps it goes on to
    make (``remembered``); every stamp appends itself to it (``_after``), so it stays all the
    case's events until the transaction ends (nobody else can stamp the locked case)."""
    db.info.setdefault(_LOCKED, {})[record.case.id] = record


def remembered(db: AsyncSession, case_id: int) -> CaseRecord | None:
    """The record ``remember`` kept of the case in this transaction, if any."""
    found: CaseRecord | None = db.info.get(_LOCKED, {}).get(case_id)
    return found


def stamps_of(events: Sequence[CaseEvent]) -> list[Stamp]:
    """The events as stamps for the pure modules (superseded ones marked)."""
    replaced = {e.supersedes for e in events if e.supersedes is not None}
    return [
        Stamp(e.id, e.milestone, e.at, e.facility_id, superseded=e.id in replaced) for e in events
    ]


# Checks a stamp's (milestone, facility) against the user's write scope (raises Forbidden).
StampCheck = Callable[[str, str | None], None]


def facilities_on(
    case: Case, stamps: Sequence[Stamp], transferred: Collection[str] = ()
) -> set[str]:
    """Facilities the case concerns: where it was opened, its destination, the facilities it
    was transferred to, its legs (a leg is only ever at one of the others: a door-in needs a
    transfer first)."""
    named = {leg.facility_id for leg in legs(stamps)}
    named.update(f for f in (case.created_facility_id, case.destination_facility_id) if f)
    named.update(transferred)
    return named


async def _facility_for(
    db: AsyncSession,
    case: Case,
    milestone: str,
    facility_id: str | None,
    at: datetime,
    stamps: list[Stamp],
    transferred: Collection[str],
    anywhere: bool = False,
) -> tuple[str | None, list[str]]:
    """The facility the stamp belongs to, checked against the case, and the flags it earns: a
    facility becomes a party of the case by a transfer (or as its destination), never by a
    stamp, so a door (in or out) needs the facility on the case, whoever records it (issue 12,
    finding 4). But a data manager or an admin entering a paper record (``anywhere``) may stamp
    the other milestones in the record's order, at a facility not yet on the case (the cath
    lab activated before the patient's door there): kept and flagged ``facility_not_on_case``,
    a data-quality finding, not a refusal (issue 14); they do not make it a party."""
    on_case = facilities_on(case, stamps, transferred)
    if milestone in FACILITY_MILESTONES and facility_id is None:
        raise InvalidEvent(f"{milestone} needs the facility_id of the door the patient passed")
    if facility_id is not None and await db.get(Facility, facility_id) is None:
        raise NotFound("facility", facility_id)
    if facility_id is not None and facility_id not in on_case:
        if anywhere and milestone not in FACILITY_MILESTONES:
            return facility_id, ["facility_not_on_case"]
        if milestone == "facility_arrival":
            raise TransferFirst(
                f"facility {facility_id!r} is not on this case: transfer the patient there"
                f" first (POST /api/v1/cases/{case.id}/transfer)"
            )
        listed = ", ".join(sorted(on_case)) or "none"
        raise InvalidEvent(
            f"facility {facility_id!r} is not on this case (on it: {listed}):"
            " transfer the patient there first"
        )
    if facility_id is None and in_facility(milestone):
        return facility_at(stamps, at), []
    return facility_id, []


async def add_event(
    db: AsyncSession,
    case: Case,
    data: EventIn,
    recorded_by: str,
    now: datetime,
    max_future: timedelta,
    idempotency_key: str | None = None,
    source: str = "user",
    *,
    hooks: CaseHooks,
    authorize: StampCheck | None = None,
    transferred: Collection[str] = (),
    anywhere: bool = False,
    events: Sequence[CaseEvent] | None = None,
) -> tuple[CaseEvent, bool]:
    """Record a stamp; returns it and whether it was a replay of an earlier identical request.

    ``authorize`` checks the new stamp's milestone and facility, and a correction's target's,
    against the sender's write scope; ``transferred``: the facilities the case was transferred
    to. A closed case takes only corrections (who may correct is the caller's check).
    ``events``: the case's events, if the caller read them under the case's lock.
    """
    # device_at is the device's clock when it sent the request: a retry differs only there
    fingerprint = request_hash(data.model_dump(mode="json", exclude={"device_at"}))
    if idempotency_key is not None:
        earlier = await _by_key(db, case.id, idempotency_key, recorded_by)
        if earlier is not None:
            return _replay(earlier, fingerprint), True
    if case.status == "closed" and data.supersedes is None:
        raise CaseClosed(f"case {case.id} is closed: it takes no new time stamps")
    check_not_future(data.at, now, max_future, "at")
    events = list(await case_events(db, case.id) if events is None else events)
    stamps = stamps_of(events)
    if data.supersedes is not None:
        target = _check_correction(events, stamps, data)
        if authorize is not None:
            authorize(target.milestone, target.facility_id)
    facility_id, unexplained = await _facility_for(
        db, case, data.milestone, data.facility_id, data.at, stamps, transferred, anywhere
    )
    if authorize is not None:
        authorize(data.milestone, facility_id)
    pathway = load_pathways()[case.pathway]
    flags = quality.flags_for(
        data.milestone, data.at, now, data.device_at, case.created_at, pathway.milestones,
        [s for s in stamps if s.event_id != data.supersedes],
    ) + unexplained  # fmt: skip
    values = {
        "case_id": case.id,
        "milestone": data.milestone,
        "at": data.at,
        "received_at": now,
        "device_at": data.device_at,
        "recorded_by": recorded_by,
        "source": source,
        "facility_id": facility_id,
        "note": data.note,
        "supersedes": data.supersedes,
        "reason": data.reason,
        "flags": flags,
        "idempotency_key": idempotency_key,
        "request_hash": fingerprint,
    }
    statement = insert(CaseEvent).values(values)
    if idempotency_key is not None:
        statement = statement.on_conflict_do_nothing(
            index_elements=["case_id", "recorded_by", "idempotency_key"],
            index_where=text("idempotency_key IS NOT NULL"),
        )
    event = await db.scalar(statement.returning(CaseEvent))  # the row as written, at once
    if event is None:  # a concurrent request with the same key won the race
        earlier = await _by_key(db, case.id, idempotency_key or "", recorded_by)
        if earlier is None:
            raise InvalidEvent("the stamp could not be recorded: retry")
        return _replay(earlier, fingerprint), True
    await _after(db, event, hooks, [*events, event])
    return event, False


def _check_correction(
    events: Sequence[CaseEvent], stamps: Sequence[Stamp], data: EventIn
) -> CaseEvent:
    target = next((e for e in events if e.id == data.supersedes), None)
    if target is None:
        raise InvalidEvent(f"supersedes {data.supersedes}: no such stamp on this case")
    if not data.reason.strip():
        raise InvalidEvent("a correction needs a reason")
    corrected_by = next((e.id for e in events if e.supersedes == target.id), None)
    if corrected_by is not None:
        raise AlreadySuperseded(
            f"stamp {target.id} was already corrected by stamp {corrected_by}: correct that one"
        )
    return target


async def superseded_by(db: AsyncSession, event_id: int) -> int | None:
    """The id of the stamp that corrects this one, if one does."""
    found = await db.scalar(select(CaseEvent.id).where(CaseEvent.supersedes == event_id))
    return None if found is None else int(found)


async def _by_key(db: AsyncSession, case_id: int, key: str, recorded_by: str) -> CaseEvent | None:
    """The stamp this user recorded on the case with this Idempotency-Key (keys are per user:
    another user's equal key is another request, never a replay of someone else's stamp)."""
    return await db.scalar(
        select(CaseEvent).where(
            CaseEvent.case_id == case_id,
            CaseEvent.recorded_by == recorded_by,
            CaseEvent.idempotency_key == key,
        )
    )


def _replay(earlier: CaseEvent, fingerprint: str) -> CaseEvent:
    if earlier.request_hash != fingerprint:
        raise IdempotencyMismatch(
            "this Idempotency-Key was already used for a different stamp: use a new key"
        )
    return earlier


async def stamp(
    db: AsyncSession,
    case: Case,
    milestone: str,
    at: datetime,
    source: str,
    recorded_by: str,
    facility_id: str | None = None,
    note: str = "",
    *,
    hooks: CaseHooks,
    events: Sequence[CaseEvent] | None = None,
) -> CaseEvent:
    """A stamp the system records (from a status change, a dispatch, an alert); ``events``:
    the case's events, if the caller read them under the case's lock."""
    events = list(await case_events(db, case.id) if events is None else events)
    stamps = stamps_of(events)
    pathway = load_pathways()[case.pathway]
    flags = quality.flags_for(milestone, at, at, None, case.created_at, pathway.milestones, stamps)
    event = CaseEvent(
        case_id=case.id,
        milestone=milestone,
        at=at,
        device_at=None,
        recorded_by=recorded_by,
        source=source,
        facility_id=facility_id,
        note=note,
        reason="",
        flags=[f for f in flags if f != "future"],
    )
    db.add(event)
    await db.flush()
    await _after(db, event, hooks, [*events, event])
    return event


async def _after(
    db: AsyncSession, event: CaseEvent, hooks: CaseHooks, events: Sequence[CaseEvent]
) -> None:
    """What a new stamp sets off: the patient at a receiving door closes its alerts; the app's
    ``on_stamp`` listeners (the case's report rows, from ``events``: all the case's, the new
    one among them) run in the same transaction."""
    known = remembered(db, event.case_id)
    if known is not None and event not in known.events:
        known.events.append(event)
    if event.milestone == "facility_arrival" and event.facility_id is not None:
        await alerts_service.close_on_arrival(db, event.case_id, event.facility_id, event.at)
    await hooks.stamped(db, event, events)
