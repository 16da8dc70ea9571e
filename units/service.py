"""Use cases of the units package. Services never commit: the request's transaction does."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from geoalchemy2.shape import from_shape
from shapely.geometry import Point
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from geo.exceptions import InvalidCoordinate, InvalidTime
from geo.points import InputLimits, check_not_future, to_service_wgs84
from units import audit, scope
from units.exceptions import Forbidden, IllegalStatusChange, NotFound
from units.models import Ambulance, Facility, User
from units.schemas import ADMIN_ONLY_FACILITY_FIELDS, FacilityPatch, PositionIn
from units.vocabulary import Role, allowed_transitions


@dataclass(frozen=True)
class Fix:
    """A GPS fix checked and converted to WGS84."""

    lon: float
    lat: float
    crs: str
    recorded_at: datetime
    speed_kmh: float | None
    heading: float | None


def wgs84_point(lon: float, lat: float) -> object:
    """A PostGIS-ready WGS84 point (typed parameter, as asyncpg needs)."""
    return from_shape(Point(lon, lat), srid=4326)


async def list_facilities(
    db: AsyncSession, kind: str | None = None, capability: str | None = None
) -> Sequence[Facility]:
    """Facilities, optionally of one kind or with one capability, by id."""
    query = select(Facility).order_by(Facility.id)
    if kind:
        query = query.where(Facility.kind == kind)
    if capability:
        query = query.where(Facility.capabilities.contains([capability]))
    return (await db.scalars(query)).all()


async def get_facility(db: AsyncSession, facility_id: str) -> Facility:
    """The facility, or NotFound."""
    facility = await db.get(Facility, facility_id)
    if facility is None:
        raise NotFound("facility", facility_id)
    return facility


async def patch_facility(
    db: AsyncSession, user: User, facility_id: str, patch: FacilityPatch
) -> Facility:
    """Apply the fields the user may change; Forbidden for anything outside their scope."""
    scope.require_facility_editor(user, facility_id)
    changes = patch.model_dump(exclude_unset=True)
    admin_fields = sorted(ADMIN_ONLY_FACILITY_FIELDS.intersection(changes))
    if admin_fields and user.role != Role.admin:
        raise Forbidden(f"only an admin may change {', '.join(admin_fields)}")
    facility = await get_facility(db, facility_id)
    before = audit.snapshot(facility, changes)  # the PATCH's history (audit trail)
    if "capabilities" in changes:
        changes["capabilities"] = list(dict.fromkeys(changes["capabilities"]))
    for field, value in changes.items():
        setattr(facility, field, value)
    await db.flush()
    await db.refresh(facility)
    audit.note(db, before=before, after=audit.snapshot(facility, before))
    return facility


async def list_ambulances(db: AsyncSession, status: str | None = None) -> Sequence[Ambulance]:
    """Ambulances, optionally in one status, by id."""
    query = select(Ambulance).order_by(Ambulance.id)
    if status:
        query = query.where(Ambulance.status == status)
    return (await db.scalars(query)).all()


async def lock_ambulance(db: AsyncSession, ambulance_id: str) -> Ambulance:
    """The ambulance row, locked for this transaction, or NotFound."""
    ambulance = await db.scalar(
        select(Ambulance).where(Ambulance.id == ambulance_id).with_for_update()
    )
    if ambulance is None:
        raise NotFound("ambulance", ambulance_id)
    return ambulance


def check_fixes(fixes: Sequence[PositionIn], limits: InputLimits, now: datetime) -> list[Fix]:
    """Every fix converted and checked, or the first problem naming its index: all or nothing."""
    if not fixes:
        raise InvalidCoordinate("send at least one position")
    if len(fixes) > limits.max_batch:
        raise InvalidCoordinate(f"at most {limits.max_batch} positions per request")
    checked: list[Fix] = []
    for index, fix in enumerate(fixes):
        where = f"positions[{index}]" if len(fixes) > 1 else "position"
        try:
            lon, lat = to_service_wgs84(fix.lon, fix.lat, fix.crs, limits.service_area)
            check_not_future(fix.recorded_at, now, limits.max_future, "recorded_at")
        except InvalidCoordinate as exc:
            raise InvalidCoordinate(f"{where}: {exc}") from exc
        except InvalidTime as exc:
            raise InvalidTime(f"{where}: {exc}") from exc
        checked.append(Fix(lon, lat, fix.crs, fix.recorded_at, fix.speed_kmh, fix.heading))
    return checked


async def change_status(
    db: AsyncSession, ambulance: Ambulance, status: str, at: datetime
) -> Ambulance:
    """Move the ambulance to ``status`` if the state machine allows it, else IllegalStatusChange."""
    if status != ambulance.status:
        allowed = allowed_transitions(ambulance.status)
        if status not in allowed:
            raise IllegalStatusChange(ambulance.status, status, allowed)
        ambulance.status = status
        ambulance.status_at = at
        await db.flush()
    return ambulance


async def capabilities(db: AsyncSession, facility_ids: set[str]) -> dict[str, frozenset[str]]:
    """Each named facility's capabilities."""
    if not facility_ids:
        return {}
    rows = await db.execute(
        select(Facility.id, Facility.capabilities).where(Facility.id.in_(facility_ids))
    )
    return {row.id: frozenset(row.capabilities) for row in rows}


async def facility_names(db: AsyncSession, facility_ids: set[str], lang: str) -> dict[str, str]:
    """Each named facility's name in the language (``zh`` or ``en``; English falls back to
    the Chinese name when the facility has none)."""
    wanted = {f for f in facility_ids if f}
    if not wanted:
        return {}
    rows = await db.execute(
        select(Facility.id, Facility.name_zh, Facility.name_en).where(Facility.id.in_(wanted))
    )
    return {row.id: (row.name_en or row.name_zh) if lang == "en" else row.name_zh for row in rows}
