"""Loading the synthetic demo county into the database (idempotent; ``reset`` starts over)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import ColumnElement, delete, or_, select
from sqlalchemy.dialects.postgresql import Insert, insert
from sqlalchemy.ext.asyncio import AsyncSession

from alerts.models import Alert, Delivery, EscalationStep, StreamEvent
from dispatch.cases.maintenance import remove_cases
from dispatch.cases.models import Case, CaseEvent
from dispatch.demo.county import DemoCounty
from dispatch.demo.roads import build_demo_roads
from dispatch.demo.rota import remove_demo_rota, seed_demo_rota
from dispatch.drills.models import Drill
from geo import road_store
from geo.models import Place, RoadNetworkInfo
from geo.network import DEFAULT_SPEEDS_KMH, RoadNetwork
from geo.orm import Base
from units import accounts
from units.models import Ambulance, AmbulancePosition, Facility, User
from units.service import wgs84_point
from units.vocabulary import Capability, FacilityKind, Role

DEMO_PASSWORD = "demo"  # noqa: S105 - the documented password of the synthetic demo users


@dataclass(frozen=True)
class DemoLogin:
    username: str
    role: str
    facility_id: str | None = None
    ambulance_id: str | None = None


@dataclass(frozen=True)
class LoadReport:
    facilities: int
    ambulances: int
    places: int
    users_created: int
    logins: tuple[DemoLogin, ...]
    road_segments: int
    roads_replaced: bool
    rota_shifts_added: int = 0


def demo_logins(county: DemoCounty) -> tuple[DemoLogin, ...]:
    """One login per role: admin, dispatcher, auditor, data-manager, ecg-reader, crew-<ambulance>,
    township-<unit>, cathlab-<PCI centre>."""
    logins = [DemoLogin(role, role) for role in (Role.admin, Role.dispatcher, Role.auditor)]
    logins.append(DemoLogin("data-manager", Role.data_manager))
    logins.append(DemoLogin("ecg-reader", Role.ecg_reader))
    logins += [
        DemoLogin(f"{Role.crew}-{a.id}", Role.crew, ambulance_id=a.id) for a in county.ambulances
    ]
    logins += [
        DemoLogin(f"{Role.township}-{f.id}", Role.township, facility_id=f.id)
        for f in county.facilities
        if f.kind == FacilityKind.township_unit
    ]
    logins += [
        DemoLogin(f"{Role.cathlab}-{f.id}", Role.cathlab, facility_id=f.id)
        for f in county.facilities
        if Capability.pci in f.capabilities
    ]
    return tuple(logins)


async def reset_demo(db: AsyncSession, county: DemoCounty) -> None:
    """Remove the demo users, every synthetic row, and the cases and alerts that touch them."""
    facilities = select(Facility.id).where(Facility.synthetic.is_(True))
    ambulances = select(Ambulance.id).where(Ambulance.synthetic.is_(True))
    alerts = select(Alert.id).where(
        or_(Alert.to_facility_id.in_(facilities), Alert.from_facility_id.in_(facilities))
    )
    for child in (EscalationStep, Delivery, StreamEvent):
        await db.execute(delete(child).where(child.alert_id.in_(alerts)))
    await db.execute(delete(Alert).where(Alert.id.in_(alerts)))
    touched = select(CaseEvent.case_id).where(CaseEvent.facility_id.in_(facilities))
    cases = select(Case.id).where(
        or_(
            Case.ambulance_id.in_(ambulances),
            Case.created_facility_id.in_(facilities),
            Case.destination_facility_id.in_(facilities),
            Case.id.in_(touched),
        )
    )
    for child in (EscalationStep, Delivery, StreamEvent):
        await db.execute(
            delete(child).where(
                child.alert_id.in_(select(Alert.id).where(Alert.case_id.in_(cases)))
            )
        )
    await db.execute(delete(Alert).where(Alert.case_id.in_(cases)))
    # Stamps are append-only: only the tables' owner can remove them (dispatch.cases.maintenance).
    await remove_cases(db, cases)
    await db.execute(delete(Drill).where(Drill.facility_id.in_(facilities)))  # scheduled ones
    usernames = [login.username for login in demo_logins(county)]
    await remove_demo_rota(db, usernames)  # the rota's shifts name the users
    await db.execute(delete(User).where(User.username.in_(usernames)))
    synthetic_ambulances = select(Ambulance.id).where(Ambulance.synthetic.is_(True))
    await db.execute(
        delete(AmbulancePosition).where(AmbulancePosition.ambulance_id.in_(synthetic_ambulances))
    )
    await db.execute(delete(Ambulance).where(Ambulance.synthetic.is_(True)))
    await db.execute(delete(Facility).where(Facility.synthetic.is_(True)))
    await db.execute(delete(Place).where(Place.synthetic.is_(True)))


async def load_demo(
    db: AsyncSession,
    county: DemoCounty,
    reset: bool = False,
    speeds: Mapping[str, float] = DEFAULT_SPEEDS_KMH,
    now: datetime | None = None,
) -> LoadReport:
    """Upsert the demo county and its roads; live state (statuses, positions, passwords) stays."""
    if reset:
        await reset_demo(db, county)
    await _upsert_places(db, county)
    await _upsert_facilities(db, county)
    await _upsert_ambulances(db, county)
    roads = build_demo_roads(county)
    roads_replaced = reset or not await _demo_roads_loaded(db, roads)
    if roads_replaced:
        await road_store.replace_network(db, roads, speeds)
    logins = demo_logins(county)
    existing = set(
        await db.scalars(
            select(User.username).where(User.username.in_([login.username for login in logins]))
        )
    )
    created = 0
    for login in logins:
        if login.username in existing:
            continue
        await accounts.add_user(
            db,
            login.username,
            DEMO_PASSWORD,
            login.role,
            facility_id=login.facility_id,
            ambulance_id=login.ambulance_id,
        )
        created += 1
    rota_added = await seed_demo_rota(db, now or datetime.now(UTC))
    return LoadReport(
        facilities=len(county.facilities),
        ambulances=len(county.ambulances),
        places=len(county.places),
        users_created=created,
        logins=logins,
        road_segments=len(roads.segments),
        roads_replaced=roads_replaced,
        rota_shifts_added=rota_added,
    )


async def _demo_roads_loaded(db: AsyncSession, roads: RoadNetwork) -> bool:
    """Whether the stored network already is these demo roads (so loading again writes nothing)."""
    info = await db.get(RoadNetworkInfo, 1)
    return (
        info is not None
        and info.synthetic
        and info.source == roads.source
        and (info.nodes, info.segments) == (len(roads.nodes), len(roads.segments))
    )


async def _upsert_places(db: AsyncSession, county: DemoCounty) -> None:
    rows = [
        {
            "id": p.id,
            "kind": p.kind,
            "name_zh": p.name_zh,
            "pinyin": p.pinyin,
            "initials": p.initials,
            "township_zh": p.township_zh,
            "population": p.population,
            "location": wgs84_point(p.lon, p.lat),
            "synthetic": True,
        }
        for p in county.places
    ]
    statement = insert(Place).values(rows)
    columns = ("kind", "name_zh", "pinyin", "initials", "township_zh", "population", "location")
    await db.execute(
        statement.on_conflict_do_update(
            index_elements=[Place.id],
            set_={c: statement.excluded[c] for c in columns},
            where=_differs(Place, statement, columns),
        )
    )


async def _upsert_facilities(db: AsyncSession, county: DemoCounty) -> None:
    rows = [
        {
            "id": f.id,
            "kind": f.kind,
            "capabilities": list(f.capabilities),
            "status": f.status,
            "name_zh": f.name_zh,
            "name_en": f.name_en,
            "address": f.address,
            "phone": f.phone,
            "location": wgs84_point(f.lon, f.lat),
            "synthetic": True,
        }
        for f in county.facilities
    ]
    statement = insert(Facility).values(rows)
    columns = ("kind", "capabilities", "name_zh", "name_en", "address", "phone", "location")
    await db.execute(
        statement.on_conflict_do_update(
            index_elements=[Facility.id],
            set_={c: statement.excluded[c] for c in columns},
            where=_differs(Facility, statement, columns),
        )
    )


async def _upsert_ambulances(db: AsyncSession, county: DemoCounty) -> None:
    rows = [
        {
            "id": a.id,
            "callsign": a.callsign,
            "station_id": a.station_id,
            "status": "available",
            "crew_capability": list(a.crew_capability),
            "position": wgs84_point(a.lon, a.lat),
            "synthetic": True,
        }
        for a in county.ambulances
    ]
    statement = insert(Ambulance).values(rows)
    columns = ("callsign", "station_id", "crew_capability")
    await db.execute(
        statement.on_conflict_do_update(
            index_elements=[Ambulance.id],
            set_={c: statement.excluded[c] for c in columns},
            where=_differs(Ambulance, statement, columns),
        )
    )


def _differs(model: type[Base], statement: Insert, columns: tuple[str, ...]) -> ColumnElement[bool]:
    """Only rewrite rows whose values changed, so a second load writes nothing."""
    return or_(*(getattr(model, c).is_distinct_from(statement.excluded[c]) for c in columns))
