"""Use cases of cases: open, list, read with timeline and intervals, change findings."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict
from datetime import datetime, timedelta

from sqlalchemy import exists, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from alerts import service as alerts_service
from dispatch.cases import actions as case_actions
from dispatch.cases import delay_reasons, scope
from dispatch.cases import events as case_events_service
from dispatch.cases import summaries as case_summaries
from dispatch.cases.exceptions import CaseClosed, IdempotencyMismatch, InvalidEvent
from dispatch.cases.hooks import CaseHooks
from dispatch.cases.identity import PERSONAL_COLUMNS
from dispatch.cases.intervals import IntervalResult, Stamp, compute_intervals, legs
from dispatch.cases.models import Case, CaseAction, CaseEvent, DelayReason
from dispatch.cases.pathways import load_pathways
from dispatch.cases.schemas import (
    CaseActionOut,
    CaseIn,
    CaseOut,
    CasePatch,
    CaseSummary,
    DelayReasonIn,
    DelayReasonOut,
    EventOut,
    IntervalOut,
    LegOut,
)
from geo.points import InputLimits, check_not_future, require_lon_lat, to_service_wgs84
from units import audit, idempotency
from units import service as units_service
from units.exceptions import NotFound
from units.models import User
from units.service import wgs84_point
from units.vocabulary import FACILITY_ROLES, Role


async def create_case(
    db: AsyncSession,
    user: User,
    data: CaseIn,
    limits: InputLimits,
    now: datetime,
    idempotency_key: str | None = None,
    *,
    hooks: CaseHooks,
) -> tuple[Case, bool]:
    """Open a case (stamping symptom onset and the call); a retried key returns the same case."""
    scope.require_creator(user)
    # The key is the creator's own: another user's equal key is another request, never a
    # replay (a replay must not show a case the user may not read).
    keyed = idempotency.Keyed(
        idempotency_key,
        idempotency.request_hash(data.model_dump(mode="json")),
        scope={"created_by": user.username},
    )

    async def values() -> dict[str, object]:
        if data.pathway not in load_pathways():
            known = ", ".join(sorted(load_pathways()))
            raise InvalidEvent(f"unknown pathway {data.pathway!r}: use one of {known}")
        lon, lat = to_service_wgs84(
            data.location.lon, data.location.lat, data.location.crs, limits.service_area
        )
        for what, at in (
            ("symptom_onset", data.symptom_onset),
            ("call_received", data.call_received),
            ("last_known_well_at", data.last_known_well_at),
        ):
            if at is not None:
                check_not_future(at, now, limits.max_future, what)
        patient = data.patient
        return {
            "pathway": data.pathway,
            "status": "active",
            "drill": data.drill,
            "synthetic": False,
            "location": wgs84_point(lon, lat),
            "input_crs": data.location.crs,
            "complaint": data.complaint,
            "patient_age": patient.age if patient else None,
            "patient_sex": patient.sex if patient else None,
            "patient_name": patient.name if patient else None,
            "patient_id_number": patient.id_number if patient else None,
            "caller_phone": data.caller_phone,
            "last_known_well_at": data.last_known_well_at,
            "address": data.address,
            "created_by": user.username,
            "created_facility_id": user.facility_id if user.role in FACILITY_ROLES else None,
            "created_at": now,
        }

    reused = IdempotencyMismatch("this Idempotency-Key was already used for another case")
    case, replayed = await idempotency.write_once(db, Case, keyed, values, reused)
    audit.note(db, object_id=case.id, case_id=case.id)
    if replayed:
        return case, True
    call = data.call_received or (now if user.role == Role.dispatcher else None)
    for milestone, at in (("symptom_onset", data.symptom_onset), ("call_received", call)):
        if at is not None:
            await case_events_service.stamp(
                db, case, milestone, at, "user", user.username, hooks=hooks
            )
    return case, False


async def get_case(db: AsyncSession, case_id: int, lock: bool = False) -> Case:
    """The case, or NotFound."""
    statement = select(Case).where(Case.id == case_id)
    if lock:
        statement = statement.with_for_update()
    case = await db.scalar(statement)
    if case is None:
        raise NotFound("case", str(case_id))
    return case


async def facilities_of(db: AsyncSession, case: Case) -> set[str]:
    """The facilities the case concerns (opened at, destination, transferred to, its doors)."""
    events = await case_events_service.case_events(db, case.id)
    moved = await case_actions.transferred(db, case.id)
    return case_events_service.facilities_on(case, case_events_service.stamps_of(events), moved)


async def readable_case(db: AsyncSession, user: User, case_id: int) -> Case:
    """The case if the user may read it."""
    case = await get_case(db, case_id)
    scope.require_read(user, case.ambulance_id, await facilities_of(db, case))
    return case


def action_out(action: CaseAction) -> CaseActionOut:
    """One entry of the case's transfer, close and reopen history."""
    return CaseActionOut(
        action=action.action,
        at=action.at,
        by=action.by_user,
        role=action.by_role,
        facility_id=action.facility_id,
        reason=action.reason,
    )


async def writable_case(db: AsyncSession, user: User, case_id: int) -> Case:
    """The case (locked for this transaction) if the user may change it."""
    return (await writable_record(db, user, case_id)).case


async def writable_record(
    db: AsyncSession, user: User, case_id: int
) -> case_events_service.CaseRecord:
    """``writable_case`` with the events and transfers it was checked against (read once,
    under the lock: a stamp hands them on instead of reading them again)."""
    record = await case_actions.locked_record(db, case_id)
    if record is None:
        raise NotFound("case", str(case_id))
    case = record.case
    facilities = case_events_service.facilities_on(case, record.stamps, record.transferred)
    scope.require_write(user, case.ambulance_id, facilities)
    return record


async def list_cases(
    db: AsyncSession,
    user: User,
    status: str | None,
    start: datetime | None,
    end: datetime | None,
    limit: int,
) -> tuple[Sequence[Case], int]:
    """Cases the user may see, newest first (at most ``limit``), and how many there are."""
    statement = select(Case)
    if status:
        statement = statement.where(Case.status == status)
    if start:
        statement = statement.where(Case.created_at >= start)
    if end:
        statement = statement.where(Case.created_at < end)
    if user.role == Role.crew:
        statement = statement.where(Case.ambulance_id == user.ambulance_id)
    elif user.role in FACILITY_ROLES:
        facility = user.facility_id
        correction = aliased(CaseEvent)
        visited = exists().where(
            CaseEvent.case_id == Case.id,
            CaseEvent.facility_id == facility,
            CaseEvent.milestone.in_(("facility_arrival", "facility_departure")),
            ~exists().where(correction.supersedes == CaseEvent.id),  # a corrected door is gone
        )
        moved_here = exists().where(
            CaseAction.case_id == Case.id,
            CaseAction.action == "transfer",
            CaseAction.facility_id == facility,
        )
        statement = statement.where(
            or_(
                Case.created_facility_id == facility,
                Case.destination_facility_id == facility,
                moved_here,
                visited,
            )
        )
    total = await db.scalar(select(func.count()).select_from(statement.subquery()))
    page = statement.order_by(Case.created_at.desc(), Case.id.desc()).limit(limit)
    return (await db.scalars(page)).all(), int(total or 0)


async def summaries(
    db: AsyncSession, cases: Sequence[Case], now: datetime, stale_after: timedelta
) -> list[CaseSummary]:
    """The cases as listed, each with its listed times and whether it went stale."""
    times = await case_summaries.case_times(db, cases)
    listed = []
    for case in cases:
        found = case_summaries.digest(
            case.status, case.created_at, times[case.id], now, stale_after
        )
        listed.append(summary(case).model_copy(update=asdict(found)))
    return listed


async def cancel_case(
    db: AsyncSession, user: User, case_id: int, reason: str, now: datetime
) -> Case:
    """Cancel a case: it is closed with the reason ``cancelled: …`` and its open alerts are
    cancelled with it (the receiving teams stop waiting). Whoever may close it may cancel it."""
    case = await writable_case(db, user, case_id)
    if case.status == "closed":
        raise CaseClosed(f"case {case.id} is closed already")
    why = f"cancelled: {reason.strip()}"
    case_actions.close(db, user, case, now, why)
    await alerts_service.cancel_open_of_case(db, case.id, why, now)
    await db.flush()
    audit.note(db, object_id=case.id, case_id=case.id)
    return case


async def patch_case(
    db: AsyncSession, user: User, case_id: int, patch: CasePatch, now: datetime
) -> Case:
    """Record findings, the destination (a transfer), or close the case; a closed case takes
    no change (reopen it first: ``actions.reopen``)."""
    case = await writable_case(db, user, case_id)
    if case.status == "closed":
        raise CaseClosed(
            f"case {case.id} is closed: it takes no change (a dispatcher or an admin reopens it"
            f" with POST /api/v1/cases/{case.id}/reopen)"
        )
    changes = patch.model_dump(exclude_unset=True)
    for field, value in (changes.pop("patient", None) or {}).items():
        changes[f"patient_{field}"] = value  # patient.name → the column patient_name
    # The PATCH's history (audit trail): personal data only by the names of what changed.
    personal = sorted(PERSONAL_COLUMNS & changes.keys())
    before = audit.snapshot(case, changes.keys() - PERSONAL_COLUMNS)
    if "destination_facility_id" in changes:
        destination = changes.pop("destination_facility_id")
        if destination is None:
            case.destination_facility_id = None
        elif destination != case.destination_facility_id:
            await case_actions.transfer(db, user, case, destination, "destination", now)
    if changes.pop("status", None) == "closed":
        case_actions.close(db, user, case, now)
        await alerts_service.close_with_case(db, case.id, now)
    for field, value in changes.items():
        setattr(case, field, value)
    await db.flush()
    audit.note(db, before=before, after=audit.snapshot(case, before))
    if personal:
        audit.note(db, personal_changed=personal)
    return case


def _point(case: Case) -> tuple[float, float]:
    return require_lon_lat(case.location, f"case {case.id}")


def summary(case: Case) -> CaseSummary:
    """The case in a list."""
    lon, lat = _point(case)
    return CaseSummary(
        id=case.id,
        pathway=case.pathway,
        status=case.status,
        drill=case.drill,
        lon=lon,
        lat=lat,
        complaint=case.complaint,
        created_at=case.created_at,
        ambulance_id=case.ambulance_id,
        destination_facility_id=case.destination_facility_id,
        eta_minutes=case.eta_minutes,
        eta_at=case.eta_at,
        closed_at=case.closed_at,
    )


def event_out(event: CaseEvent, superseded_by: int | None) -> EventOut:
    """One timeline entry."""
    return EventOut(
        id=event.id,
        case_id=event.case_id,
        milestone=event.milestone,
        at=event.at,
        facility_id=event.facility_id,
        source=event.source,
        recorded_by=event.recorded_by,
        recorded_at=event.received_at,
        device_at=event.device_at,
        note=event.note,
        supersedes=event.supersedes,
        superseded_by=superseded_by,
        reason=event.reason,
        flags=list(event.flags),
    )


async def case_intervals(
    db: AsyncSession, case: Case
) -> tuple[list[CaseEvent], list[Stamp], list[IntervalResult]]:
    """The case's events, its stamps and its intervals by its pathway's rules."""
    events = list(await case_events_service.case_events(db, case.id))
    stamps = case_events_service.stamps_of(events)
    caps = await units_service.capabilities(db, case_events_service.facilities_on(case, stamps))
    return events, stamps, compute_intervals(load_pathways()[case.pathway], stamps, caps)


def _delay_out(reason: DelayReason | None) -> DelayReasonOut | None:
    if reason is None:
        return None
    label_zh, label_en = delay_reasons.label(reason.code)
    return DelayReasonOut(
        code=reason.code, label_zh=label_zh, label_en=label_en, note=reason.note,
        recorded_by=reason.recorded_by, recorded_at=reason.recorded_at,
    )  # fmt: skip


async def record_delay_reason(
    db: AsyncSession, user: User, case_id: int, metric: str, data: DelayReasonIn, now: datetime
) -> Case:
    """Give the reason of a missed interval (whoever may write on the case; a closed case too:
    data managers fill them in afterwards). Audited with the reason before and after."""
    case = await writable_case(db, user, case_id)
    _, _, intervals = await case_intervals(db, case)
    before = await delay_reasons.of_case(db, case.id)
    key = (metric, data.facility_id or "")
    previous = before.get(key)
    row = await delay_reasons.record(
        db, case, intervals, metric, data.facility_id, data.code, data.note, user.username, now
    )
    audit.note(
        db,
        object_id=case.id,
        case_id=case.id,
        metric=metric,
        before=None if previous is None else {"code": previous.code, "note": previous.note},
        after={"code": row.code, "note": row.note},
    )
    return case


async def case_view(db: AsyncSession, case: Case) -> CaseOut:
    """The case with its legs, its whole timeline (corrections marked) and its intervals."""
    events, stamps, intervals = await case_intervals(db, case)
    reasons = await delay_reasons.of_case(db, case.id)
    corrected = {e.supersedes: e.id for e in events if e.supersedes is not None}
    actions = await case_actions.history(db, case.id)
    lon, lat = _point(case)
    return CaseOut(
        id=case.id,
        pathway=case.pathway,
        status=case.status,
        drill=case.drill,
        synthetic=case.synthetic,
        lon=lon,
        lat=lat,
        complaint=case.complaint,
        patient={
            "age": case.patient_age,
            "sex": case.patient_sex,
            "name": case.patient_name,
            "id_number": case.patient_id_number,
        },
        caller_phone=case.caller_phone,
        address=case.address,
        created_by=case.created_by,
        created_at=case.created_at,
        closed_at=case.closed_at,
        ambulance_id=case.ambulance_id,
        destination_facility_id=case.destination_facility_id,
        eta_minutes=case.eta_minutes,
        eta_at=case.eta_at,
        findings={
            "killip_class": case.killip_class,
            "lysis_contraindicated": case.lysis_contraindicated,
            "ongoing_ischaemia": case.ongoing_ischaemia,
            "arrhythmia": case.arrhythmia,
            "stroke_scale": case.stroke_scale,
            "stroke_score": case.stroke_score,
            "last_known_well_at": case.last_known_well_at,
        },
        legs=[
            LegOut(facility_id=g.facility_id, door_in=g.door_in, door_out=g.door_out)
            for g in legs(stamps)
        ],
        timeline=[event_out(e, corrected.get(e.id)) for e in events],
        intervals=[
            IntervalOut(
                name=i.name,
                label_zh=i.label_zh,
                label_en=i.label_en,
                minutes=None if i.minutes is None else round(i.minutes, 2),
                target_minutes=i.target_minutes,
                met=i.met,
                facility_id=i.facility_id,
                start_at=i.start_at,
                end_at=i.end_at,
                missing=list(i.missing),
                note=i.note,
                delay_reason=_delay_out(
                    reasons.get((i.name, i.facility_id or "")) or reasons.get((i.name, ""))
                    if i.met is False
                    else None
                ),
            )
            for i in intervals
        ],
        history=[action_out(a) for a in actions],
    )
