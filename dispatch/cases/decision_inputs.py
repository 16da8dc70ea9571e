"""GET /cases/{id}/decision: gather the inputs (where the patient is, road times to every
centre, each PCI centre's own recent door-to-wire) and apply the pure ``decision_rules``."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import asdict
from datetime import datetime
from typing import Annotated, Any, cast
from zoneinfo import ZoneInfo

from fastapi import Depends, Request
from fastapi.encoders import jsonable_encoder
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from dispatch.cases import activation, decision_rules, decision_stemi, decision_stroke
from dispatch.cases import events as case_events
from dispatch.cases.exceptions import InvalidFindings
from dispatch.cases.intervals import Stamp, current, legs
from dispatch.cases.models import Case
from geo.engine import TravelTimeEngine
from geo.points import lon_lat, require_lon_lat
from units.models import Ambulance, Facility


def _first(stamps: list[Stamp], milestone: str) -> datetime | None:
    return next((s.at for s in current(stamps) if s.milestone == milestone), None)


async def where_is_the_patient(
    db: AsyncSession, case: Case, stamps: list[Stamp]
) -> tuple[tuple[float, float], str, str | None, datetime | None]:
    """(lon, lat), what the position is, the facility the patient is in and its door-in time."""
    open_legs = [leg for leg in legs(stamps) if leg.door_in is not None and leg.door_out is None]
    if open_legs:
        leg = open_legs[-1]
        facility = await db.get(Facility, leg.facility_id)
        if facility is not None and (point := lon_lat(facility.location)) is not None:
            return point, f"facility:{facility.id}", facility.id, leg.door_in
    if case.ambulance_id and case.ambulance_released_at is None:
        ambulance = await db.get(Ambulance, case.ambulance_id)
        point = lon_lat(ambulance.position) if ambulance is not None else None
        if ambulance is not None and ambulance.status == "transporting" and point is not None:
            return point, f"ambulance:{ambulance.id}", None, None
    return require_lon_lat(case.location, f"case {case.id}"), "case_location", None, None


def _road_minutes(
    engine: TravelTimeEngine, start: tuple[float, float], facility: Facility
) -> float | None:
    target = lon_lat(facility.location)
    if target is None:
        return None
    route = engine.route_between(start, target)
    return None if route is None else round(route.minutes, 2)


# Each facility's own recent door-to-wire minutes, for all the facilities asked about at once.
# The app supplies it from the report read model (``dispatch.reports.recent``): cases never
# import reports.
RecentDoorToWire = Callable[[AsyncSession, Sequence[str]], Awaitable[Mapping[str, Sequence[float]]]]


async def recent_door_to_wire_of(request: Request) -> RecentDoorToWire:
    """The app's registered source of recent door-to-wire; none registered fails loudly."""
    source = getattr(request.app.state, "recent_door_to_wire", None)
    if source is None:
        raise RuntimeError("no app.state.recent_door_to_wire: the app factory registers it")
    return cast(RecentDoorToWire, source)


RecentDoorToWireDep = Annotated[RecentDoorToWire, Depends(recent_door_to_wire_of)]


async def decide(
    db: AsyncSession,
    engine: TravelTimeEngine,
    case: Case,
    now: datetime,
    config: decision_rules.DecisionConfig,
    door_to_wire: RecentDoorToWire,
    time_zone: str = "Asia/Shanghai",
) -> dict[str, Any]:
    """The recommendation for the case's pathway, with every input and threshold used."""
    stamps = case_events.stamps_of(await case_events.case_events(db, case.id))
    position, position_source, facility_id, door_in = await where_is_the_patient(db, case, stamps)
    facilities = (await db.scalars(select(Facility).order_by(Facility.id))).all()

    def options(capability: str) -> list[decision_rules.FacilityOption]:
        return [
            decision_rules.FacilityOption(
                f.id,
                decision_rules.FacilityName(f.name_zh, f.name_en),
                _road_minutes(engine, position, f),
            )
            for f in facilities
            if capability in f.capabilities and f.status != "offline"
        ]

    here = next((f for f in facilities if f.id == facility_id), None)
    result: object
    try:
        if case.pathway in ("stemi", "chest_pain"):
            kind = "stemi_reperfusion"
            centres = options("pci")
            recent = await door_to_wire(db, [o.facility_id for o in centres])
            by_id = {f.id: f for f in facilities}
            pci = [
                decision_stemi.PciOption(
                    o.facility_id,
                    o.name,
                    o.road_minutes,
                    tuple(recent.get(o.facility_id, ())),
                    around_the_clock="pci_24_7" in by_id[o.facility_id].capabilities,
                    busy=by_id[o.facility_id].status == "busy",
                )
                for o in centres
            ]
            result = decision_stemi.stemi_reperfusion(
                now=now,
                diagnosis_at=_first(stamps, "diagnosis"),
                current_facility_door_in=door_in,
                at_pci_facility=here is not None and "pci" in here.capabilities,
                pci_options=pci,
                lysis_options=options("thrombolysis"),
                onset_at=_first(stamps, "symptom_onset"),
                killip_class=case.killip_class,
                lysis_contraindicated=bool(case.lysis_contraindicated),
                config=config,
                ongoing_ischaemia=case.ongoing_ischaemia,
                arrhythmia=case.arrhythmia,
                out_of_hours=decision_rules.out_of_hours(
                    now.astimezone(ZoneInfo(time_zone)), config
                ),
            )
        elif case.pathway == "stroke":
            kind = "stroke_triage"
            result = decision_stroke.stroke_triage(
                now=now,
                last_known_well_at=case.last_known_well_at or _first(stamps, "symptom_onset"),
                scale=case.stroke_scale,  # type: ignore[arg-type]
                score=case.stroke_score,
                thrombectomy_options=options("thrombectomy"),
                thrombolysis_options=options("stroke_thrombolysis"),
                config=config,
            )
        else:
            kind, result = "none", None
    except ValueError as exc:
        raise InvalidFindings(str(exc)) from exc
    recommended = getattr(result, "destination_facility_id", None)
    guard = activation.check(stamps, case.destination_facility_id, recommended)
    return {
        "case_id": case.id,
        "pathway": case.pathway,
        "kind": kind,
        "activation": jsonable_encoder(asdict(guard)),
        "decided_at": now,
        "note": "decision support, never an order"
        if result
        else f"no decision rule for {case.pathway}",
        "patient_position": {"lon": position[0], "lat": position[1], "source": position_source},
        "result": jsonable_encoder(asdict(result)) if result is not None else None,
    }
