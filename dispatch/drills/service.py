"""Use cases of drills: schedule or start at once, start when due, end and score, cancel, list.

The county (admin, dispatcher, data manager) schedules, starts, ends and cancels drills; a unit
(township or cath-lab team) reads its own drills; auditors read every drill. Starting opens the
drill case at the unit (``drill: true``: reported apart, marked on every screen) and announces
it on the unit's stream and the dispatchers' (frame ``drill.started``). Ending (or the drill
case being closed) scores the case's intervals against their targets.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from alerts import service as alerts_service
from alerts import stream
from dispatch.cases import actions as case_actions
from dispatch.cases import service as cases_service
from dispatch.cases.exceptions import IdempotencyMismatch, InvalidEvent
from dispatch.cases.models import Case
from dispatch.cases.pathways import load_pathways
from dispatch.drills.models import Drill
from dispatch.drills.schemas import DrillIn, DrillOut
from dispatch.drills.scoring import score
from geo.points import require_lon_lat
from units import audit, idempotency
from units.exceptions import Conflict, Forbidden, NotFound
from units.models import Facility, User
from units.service import wgs84_point
from units.vocabulary import FACILITY_ROLES, Role

# The county's roles: they schedule, start, end and cancel drills at any unit.
COUNTY = frozenset({Role.admin, Role.dispatcher, Role.data_manager})
# Read every unit's drills.
READ_ALL = COUNTY | {Role.auditor}


def require_county(user: User) -> None:
    if user.role not in COUNTY:
        raise Forbidden(f"drills are the county's to run, not the {user.role} role's")


def readable_facility(user: User, facility_id: str | None) -> str | None:
    """The unit whose drills the user may list (None: every unit), or Forbidden."""
    if user.role in READ_ALL:
        return facility_id
    if user.role in FACILITY_ROLES and user.facility_id is not None:
        if facility_id not in (None, user.facility_id):
            raise Forbidden(f"a {user.role} user sees only the drills of {user.facility_id}")
        return user.facility_id
    raise Forbidden(f"the {user.role} role has no drills")


def view(drill: Drill) -> dict[str, Any]:
    """The drill as clients see it."""
    return DrillOut.model_validate(drill, from_attributes=True).model_dump(mode="json")


async def get_drill(db: AsyncSession, drill_id: int, lock: bool = False) -> Drill:
    statement = select(Drill).where(Drill.id == drill_id)
    if lock:
        statement = statement.with_for_update()
    drill = await db.scalar(statement)
    if drill is None:
        raise NotFound("drill", str(drill_id))
    return drill


async def readable_drill(db: AsyncSession, user: User, drill_id: int) -> Drill:
    drill = await get_drill(db, drill_id)
    readable_facility(user, drill.facility_id)
    return drill


async def list_drills(
    db: AsyncSession, user: User, facility_id: str | None, limit: int = 200
) -> Sequence[Drill]:
    """The drills the user may see, latest scheduled first."""
    unit = readable_facility(user, facility_id)
    statement = select(Drill).order_by(Drill.scheduled_at.desc(), Drill.id.desc()).limit(limit)
    if unit is not None:
        statement = statement.where(Drill.facility_id == unit)
    return (await db.scalars(statement)).all()


async def create(
    db: AsyncSession, user: User, data: DrillIn, now: datetime, idempotency_key: str | None
) -> tuple[Drill, bool]:
    """Schedule a drill, or start it at once (unannounced, or no time given)."""
    require_county(user)
    keyed = idempotency.Keyed(
        idempotency_key,
        idempotency.request_hash(data.model_dump(mode="json")),
        scope={"created_by": user.username},
    )

    async def values() -> dict[str, object]:
        if data.pathway not in load_pathways():
            known = ", ".join(sorted(load_pathways()))
            raise InvalidEvent(f"unknown pathway {data.pathway!r}: use one of {known}")
        if await db.get(Facility, data.facility_id) is None:
            raise NotFound("facility", data.facility_id)
        if data.unannounced and data.scheduled_at is not None:
            raise InvalidEvent("an unannounced drill starts at once: leave out scheduled_at")
        if data.scheduled_at is not None and data.scheduled_at < now:
            raise InvalidEvent(
                f"scheduled_at ({data.scheduled_at.isoformat()}) is in the past:"
                " leave it out to start the drill now"
            )
        return {
            "facility_id": data.facility_id,
            "pathway": data.pathway,
            "scheduled_at": data.scheduled_at or now,
            "unannounced": data.unannounced,
            "status": "scheduled",
            "created_by": user.username,
            "created_at": now,
        }

    reused = IdempotencyMismatch("this Idempotency-Key was already used for another drill")
    drill, replayed = await idempotency.write_once(db, Drill, keyed, values, reused)
    if not replayed and data.scheduled_at is None:
        await start(db, drill, now)
    audit.note(db, object_id=drill.id, case_id=drill.case_id)
    return drill, replayed


async def start(db: AsyncSession, drill: Drill, now: datetime) -> Case:
    """Open the drill case at the unit and announce it (``drill.started``)."""
    if drill.status != "scheduled":
        raise Conflict(f"drill {drill.id} is {drill.status}: only a scheduled drill starts")
    unit = await db.get(Facility, drill.facility_id)
    if unit is None:
        raise NotFound("facility", drill.facility_id)
    lon, lat = require_lon_lat(unit.location, f"facility {unit.id}")
    case = Case(
        pathway=drill.pathway,
        status="active",
        drill=True,
        synthetic=False,
        location=wgs84_point(lon, lat),
        input_crs="wgs84",
        complaint=f"演练 Drill #{drill.id}",
        created_by=drill.created_by,
        created_facility_id=unit.id,
        created_at=now,
    )
    db.add(case)
    await db.flush()
    drill.status, drill.started_at, drill.case_id = "started", now, case.id
    await db.flush()
    await _announce(db, drill, "drill.started")
    return case


async def _announce(db: AsyncSession, drill: Drill, frame_type: str) -> None:
    streams = [stream.facility_stream(drill.facility_id), stream.DISPATCH_STREAM]
    await stream.append(db, streams, frame_type, None, view(drill))


async def start_by(db: AsyncSession, user: User, drill_id: int, now: datetime) -> Drill:
    """``POST /drills/{id}/start``: the county starts a scheduled drill before its time."""
    require_county(user)
    drill = await get_drill(db, drill_id, lock=True)
    await start(db, drill, now)
    audit.note(db, object_id=drill.id, case_id=drill.case_id)
    return drill


async def finish(db: AsyncSession, drill: Drill, case: Case, now: datetime) -> None:
    """Score the ended drill from its case's intervals and announce it (``drill.ended``)."""
    _, _, intervals = await cases_service.case_intervals(db, case)
    drill.score = score(intervals)
    drill.status, drill.ended_at = "ended", case.closed_at or now
    await db.flush()
    await _announce(db, drill, "drill.ended")


async def end(db: AsyncSession, user: User, drill_id: int, now: datetime) -> Drill:
    """``POST /drills/{id}/end``: close the drill case (if still open) and score it."""
    require_county(user)
    drill = await get_drill(db, drill_id, lock=True)
    if drill.status != "started" or drill.case_id is None:
        raise Conflict(f"drill {drill.id} is {drill.status}: only a started drill ends")
    case = await cases_service.get_case(db, drill.case_id, lock=True)
    if case.status != "closed":
        case_actions.close(db, user, case, now, "drill ended")
        await alerts_service.close_with_case(db, case.id, now)
        await db.flush()
    await finish(db, drill, case, now)
    audit.note(db, object_id=drill.id, case_id=drill.case_id)
    return drill


async def cancel(db: AsyncSession, user: User, drill_id: int, now: datetime) -> Drill:
    """Cancel a scheduled drill, or a started one (its case is cancelled with it)."""
    require_county(user)
    drill = await get_drill(db, drill_id, lock=True)
    if drill.status not in ("scheduled", "started"):
        raise Conflict(f"drill {drill.id} is {drill.status} already")
    if drill.case_id is not None:
        case = await cases_service.get_case(db, drill.case_id, lock=True)
        if case.status != "closed":
            why = "cancelled: drill cancelled"
            case_actions.close(db, user, case, now, why)
            await alerts_service.cancel_open_of_case(db, case.id, why, now)
    drill.status, drill.ended_at = "cancelled", now
    await db.flush()
    await _announce(db, drill, "drill.cancelled")
    audit.note(db, object_id=drill.id, case_id=drill.case_id)
    return drill
