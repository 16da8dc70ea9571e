"""Dispatch: the best available ambulance by road, and the milestones its status changes stamp.

The status and position listeners are registered with ``units.hooks`` by the app, so a crew's
status button stamps ``unit_en_route`` (and the rest) on its case, and its GPS fixes keep the
case's ETA to its destination current.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

import structlog
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from alerts import service as alerts_service
from dispatch.cases import activation, missions
from dispatch.cases import events as case_events
from dispatch.cases.exceptions import DispatchConflict
from dispatch.cases.hooks import CaseHooks
from dispatch.cases.milestones import LEAVING_MILESTONES, STATUS_MILESTONES
from dispatch.cases.models import Case, CaseEvent
from dispatch.cases.schemas import Candidate
from geo.engine import TravelTimeEngine
from geo.points import lon_lat, require_lon_lat
from units import service as units_service
from units.hooks import PositionListener, StatusListener
from units.models import Ambulance, Facility, User

log = structlog.get_logger(__name__)


def _candidate(ambulance: Ambulance, minutes: float, meters: float) -> Candidate:
    return Candidate(
        ambulance_id=ambulance.id,
        callsign=ambulance.callsign,
        station_id=ambulance.station_id,
        minutes=round(minutes, 2),
        meters=round(meters, 1),
    )


async def rank_ambulances(
    db: AsyncSession, engine: TravelTimeEngine, case: Case, k: int = 5
) -> list[Candidate]:
    """Available ambulances by road time to the case, fastest first."""
    target = engine.snap(*require_lon_lat(case.location, f"case {case.id}"))
    fleet = {a.id: a for a in await units_service.list_ambulances(db, "available")}
    candidates = [(a.id, *p) for a in fleet.values() if (p := lon_lat(a.position)) is not None]
    ranked = engine.nearest(target, candidates, k)
    return [_candidate(fleet[r.key], r.minutes, r.meters) for r in ranked]


async def dispatch_case(
    db: AsyncSession,
    engine: TravelTimeEngine,
    case: Case,
    user: User,
    now: datetime,
    ambulance_id: str | None,
    hooks: CaseHooks,
) -> tuple[Candidate, list[Candidate], CaseEvent]:
    """Assign the best (or the named) available ambulance; stamps ``unit_notified``."""
    if case.status != "active":
        raise DispatchConflict("the case is closed")
    if case.ambulance_id is not None and case.ambulance_released_at is None:
        raise DispatchConflict(f"ambulance {case.ambulance_id} is already on this case")
    ranked = await rank_ambulances(db, engine, case)
    if ambulance_id is None:
        # The ranking read the fleet unlocked: a concurrent dispatch may have taken the best
        # one since, so claim the first that is still available (and not being claimed).
        for candidate in ranked:
            claimed = await _claim(db, candidate.ambulance_id)
            if claimed is not None:
                chosen, ambulance = candidate, claimed
                break
        else:
            raise DispatchConflict(
                "no available ambulance can reach this case by road"
                + (" (the nearest were just dispatched elsewhere): retry" if ranked else "")
            )
    else:
        ambulance = await units_service.lock_ambulance(db, ambulance_id)
        if ambulance.status != "available":
            raise DispatchConflict(f"ambulance {ambulance_id} is {ambulance.status}, not available")
        chosen = next((c for c in ranked if c.ambulance_id == ambulance_id), None) or _own_time(
            engine, case, ambulance
        )
    await units_service.change_status(db, ambulance, "dispatched", now)
    case.ambulance_id, case.ambulance_released_at = ambulance.id, None
    # The ETA to the scene from the ambulance's road time; its fixes refine it from now on.
    case.eta_minutes, case.eta_updated_at = chosen.minutes, now
    case.eta_at = now + timedelta(minutes=chosen.minutes)
    event = await case_events.stamp(
        db, case, "unit_notified", now, "dispatch", user.username, note=ambulance.callsign,
        hooks=hooks,
    )  # fmt: skip
    await missions.tell_assigned(db, case, ambulance, now, chosen)
    alternatives = [c for c in ranked if c.ambulance_id != chosen.ambulance_id]
    log.info("case_dispatched", case_id=case.id, ambulance_id=ambulance.id, minutes=chosen.minutes)
    return chosen, alternatives, event


async def _claim(db: AsyncSession, ambulance_id: str) -> Ambulance | None:
    """The ambulance, locked, if it is available now; None if taken or locked by another."""
    return await db.scalar(
        select(Ambulance)
        .where(Ambulance.id == ambulance_id, Ambulance.status == "available")
        .with_for_update(skip_locked=True)
        .execution_options(populate_existing=True)
    )


def _own_time(engine: TravelTimeEngine, case: Case, ambulance: Ambulance) -> Candidate:
    where = lon_lat(ambulance.position)
    if where is None:
        raise DispatchConflict(f"ambulance {ambulance.id} has no known position")
    route = engine.route(engine.snap(*where), engine.snap(*(lon_lat(case.location) or where)))
    if route is None:
        raise DispatchConflict(f"ambulance {ambulance.id} cannot reach the case by road")
    return _candidate(ambulance, route.minutes, route.meters)


async def active_case_of(db: AsyncSession, ambulance_id: str) -> Case | None:
    """The case the ambulance is assigned to now, if any."""
    return await db.scalar(
        select(Case)
        .where(
            Case.ambulance_id == ambulance_id,
            Case.ambulance_released_at.is_(None),
            Case.status == "active",
        )
        .order_by(Case.id.desc())
        .limit(1)
        .with_for_update()
    )


def status_listener(
    hooks: CaseHooks, engine_of: Callable[[], TravelTimeEngine | None] = lambda: None
) -> StatusListener:
    """A listener stamping the milestones of an assigned ambulance's status change on its case,
    and keeping its ETA about the right place: to the scene until on scene, none on scene, to
    the destination from ``transporting`` (from its last position), none once there."""

    async def stamp_status_change(
        db: AsyncSession, ambulance: Ambulance, old: str, new: str, at: datetime, user: User
    ) -> None:
        case = await active_case_of(db, ambulance.id)
        if case is None:
            return
        if new == "at_destination" and case.destination_facility_id is None:
            # no destination recorded: the centre whose team was activated is waiting there
            stamps = case_events.stamps_of(await case_events.case_events(db, case.id))
            case.destination_facility_id = activation.check(stamps, None, None).kept_destination_id
        for milestone in (*LEAVING_MILESTONES.get(old, ()), *STATUS_MILESTONES.get(new, ())):
            facility = case.destination_facility_id if milestone == "facility_arrival" else None
            if milestone == "facility_arrival" and facility is None:
                continue  # no destination recorded: the door-in is stamped by the facility
            await case_events.stamp(
                db, case, milestone, at, "ambulance_status", user.username, facility,
                ambulance.callsign, hooks=hooks,
            )  # fmt: skip
        if new == "available":
            case.ambulance_released_at = at
            await missions.tell_released(db, case, ambulance, at)
        if new in ETA_TO_DESTINATION:
            await _eta(db, engine_of(), case, ambulance)
        elif new not in ETA_TO_SCENE:
            case.eta_minutes = case.eta_at = case.eta_updated_at = None
        log.info("case_status_stamped", case_id=case.id, ambulance_id=ambulance.id, status=new)

    return stamp_status_change


ETA_TO_SCENE = ("dispatched", "en_route")
ETA_TO_DESTINATION = ("transporting",)


def eta_listener(engine_of: Callable[[], TravelTimeEngine | None]) -> PositionListener:
    """A listener updating the case's ETA (to the scene, then to the destination) on each move."""

    async def update_eta(db: AsyncSession, ambulance: Ambulance) -> None:
        if ambulance.status not in ETA_TO_SCENE + ETA_TO_DESTINATION:
            return  # no ETA to keep (most fixes: an ambulance at its station or on its way back)
        case = await active_case_of(db, ambulance.id)
        if case is not None:
            await _eta(db, engine_of(), case, ambulance)

    return update_eta


async def _eta(
    db: AsyncSession, engine: TravelTimeEngine | None, case: Case, ambulance: Ambulance
) -> None:
    """The case's ETA from the ambulance's last position to where its status says it goes."""
    where = lon_lat(ambulance.position)
    # From the last fix, or from the status change when it came after it (or with no fix yet).
    known = [at for at in (ambulance.position_at, ambulance.status_at) if at is not None]
    if engine is None or where is None or not known:
        return
    target = None
    if ambulance.status in ETA_TO_SCENE:
        target = lon_lat(case.location)
    elif ambulance.status in ETA_TO_DESTINATION and case.destination_facility_id:
        facility = await db.get(Facility, case.destination_facility_id)
        target = lon_lat(facility.location) if facility is not None else None
    if target is None:
        return
    route = engine.route_between(where, target)
    if route is None:
        return
    since = max(known)
    case.eta_minutes = round(route.minutes, 2)
    case.eta_at = since + timedelta(minutes=route.minutes)
    case.eta_updated_at = since
    await db.flush()
    if ambulance.status in ETA_TO_DESTINATION:
        await alerts_service.follow_eta(db, case.id, route.minutes, case.eta_at)
