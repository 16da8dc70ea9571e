"""Explicit actions on a case, kept forever in ``case_actions``: a transfer (the one way a
facility becomes a party of a case), a close and a reopen (so a case's ``closed_at`` and its
close/reopen history are never lost). Who may is ``write_scope``'s business."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import bindparam, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from dispatch.cases import events as case_events
from dispatch.cases import write_scope
from dispatch.cases.exceptions import CaseClosed
from dispatch.cases.intervals import facility_at, legs
from dispatch.cases.models import Case, CaseAction
from units.exceptions import Conflict, NotFound
from units.models import Facility, User


async def transferred(db: AsyncSession, case_id: int) -> set[str]:
    """The facilities the case was ever transferred to."""
    found = await db.scalars(
        select(CaseAction.facility_id).where(
            CaseAction.case_id == case_id,
            CaseAction.action == "transfer",
            CaseAction.facility_id.is_not(None),
        )
    )
    return {f for f in found if f}


async def history(db: AsyncSession, case_id: int) -> Sequence[CaseAction]:
    """The case's transfers, closes and reopens, oldest first."""
    return (
        await db.scalars(
            select(CaseAction).where(CaseAction.case_id == case_id).order_by(CaseAction.id)
        )
    ).all()


# The case with the facilities it was transferred to, built once: a request's hottest read
# (every alert and stamp locks its case with it), so neither built nor keyed afresh each time.
_TRANSFERRED_TO = (
    select(func.array_agg(CaseAction.facility_id))
    .where(
        CaseAction.case_id == Case.id,
        CaseAction.action == "transfer",
        CaseAction.facility_id.is_not(None),
    )
    .scalar_subquery()
)
_CASE_AND_TRANSFERS = select(Case, _TRANSFERRED_TO).where(Case.id == bindparam("case_id"))
_CASE_AND_TRANSFERS_LOCKED = _CASE_AND_TRANSFERS.with_for_update(of=Case).execution_options(
    populate_existing=True
)


async def locked_record(
    db: AsyncSession, case_id: int, lock: bool = True
) -> case_events.CaseRecord | None:
    """The case locked for this transaction (read afresh) with the facilities it was
    transferred to, in one statement, then its events (None: no such case); remembered for
    the stamps the transaction goes on to make (``case_events.remember``). ``lock=False``:
    read as before, neither locked nor remembered."""
    statement = _CASE_AND_TRANSFERS_LOCKED if lock else _CASE_AND_TRANSFERS
    found = (await db.execute(statement, {"case_id": case_id})).first()
    if found is None:
        return None
    case, facilities = found
    events = list(await case_events.case_events(db, case.id))
    record = case_events.CaseRecord(case, events, frozenset(f for f in facilities or () if f))
    if lock:
        case_events.remember(db, record)
    return record


async def record_of(db: AsyncSession, case: Case) -> case_events.CaseRecord:
    """The case with its events and the facilities it was transferred to (two reads); the
    caller holds the case's row lock if it hands the record on to a stamp."""
    events = list(await case_events.case_events(db, case.id))
    return case_events.CaseRecord(case, events, frozenset(await transferred(db, case.id)))


async def parties(db: AsyncSession, case: Case, now: datetime) -> write_scope.CaseParties:
    """What the write checks need: the case's parties, who holds the patient, its crew."""
    return parties_of(await record_of(db, case), now)


def parties_of(record: case_events.CaseRecord, now: datetime) -> write_scope.CaseParties:
    """``parties`` of a case already read."""
    case, stamps, moved = record.case, record.stamps, record.transferred
    case_legs = legs(stamps)
    return write_scope.CaseParties(
        ambulance_id=case.ambulance_id,
        facilities=frozenset(case_events.facilities_on(case, stamps, moved)),
        holding=write_scope.holding_facilities(
            facility_at(stamps, now), bool(case_legs), case.created_facility_id
        ),
        closed=case.status == "closed",
    )


def _record(
    db: AsyncSession,
    case: Case,
    user: User,
    action: str,
    now: datetime,
    reason: str = "",
    facility_id: str | None = None,
) -> None:
    db.add(
        CaseAction(
            case_id=case.id,
            action=action,
            facility_id=facility_id,
            reason=reason,
            by_user=user.username,
            by_role=user.role,
            at=now,
        )
    )


async def transfer(
    db: AsyncSession, user: User, case: Case, facility_id: str, reason: str, now: datetime
) -> None:
    """Make the facility the case's destination and a party of it (the case locked by the
    caller). A transfer to the current destination is recorded once."""
    if case.status == "closed":
        raise CaseClosed(f"case {case.id} is closed: reopen it before a transfer")
    if await db.get(Facility, facility_id) is None:
        raise NotFound("facility", facility_id)
    write_scope.check_transfer(user, await parties(db, case, now))
    if facility_id == case.destination_facility_id and facility_id in await transferred(
        db, case.id
    ):
        return
    _record(db, case, user, "transfer", now, reason, facility_id)
    case.destination_facility_id = facility_id
    await db.flush()


def close(db: AsyncSession, user: User, case: Case, now: datetime, reason: str = "") -> None:
    """Close the case and keep the close in its history."""
    if case.status == "closed":
        return
    case.status, case.closed_at = "closed", now
    _record(db, case, user, "close", now, reason)


async def reopen(db: AsyncSession, user: User, case: Case, reason: str, now: datetime) -> None:
    """Reopen a closed case (dispatch or admin): ``closed_at`` stays, the reopen is recorded."""
    write_scope.check_reopen(user)
    if case.status != "closed":
        raise Conflict(f"case {case.id} is not closed")
    case.status = "active"
    _record(db, case, user, "reopen", now, reason)
    await db.flush()
