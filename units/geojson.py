"""Facilities and ambulances as GeoJSON features."""

from __future__ import annotations

from typing import Any

from geoalchemy2 import WKBElement

from geo.points import lon_lat
from geo.schemas import Feature, point_geometry
from units.models import Ambulance, Facility
from units.vocabulary import allowed_transitions


def _geometry(geometry: WKBElement | None) -> dict[str, Any] | None:
    coords = lon_lat(geometry)
    return None if coords is None else point_geometry(*coords)


def facility_feature(facility: Facility) -> Feature:
    """A facility with the contract's properties (id, name, kind, capabilities, status) and more."""
    return Feature(
        id=facility.id,
        geometry=_geometry(facility.location),
        properties={
            "id": facility.id,
            "name": facility.name_zh,
            "name_zh": facility.name_zh,
            "name_en": facility.name_en,
            "kind": facility.kind,
            "capabilities": list(facility.capabilities),
            "status": facility.status,
            "address": facility.address,
            "phone": facility.phone,
            "synthetic": facility.synthetic,
        },
    )


def ambulance_feature(ambulance: Ambulance) -> Feature:
    """An ambulance at its last known position (null geometry before its first fix)."""
    return Feature(
        id=ambulance.id,
        geometry=_geometry(ambulance.position),
        properties={
            "id": ambulance.id,
            "callsign": ambulance.callsign,
            "station_id": ambulance.station_id,
            "status": ambulance.status,
            "status_at": _iso(ambulance.status_at),
            "next_statuses": list(allowed_transitions(ambulance.status)),
            "position_at": _iso(ambulance.position_at),
            "crew_capability": list(ambulance.crew_capability),
            "speed_kmh": ambulance.speed_kmh,
            "heading": ambulance.heading,
            "synthetic": ambulance.synthetic,
        },
    )


def _iso(value: Any) -> str | None:
    return None if value is None else str(value.isoformat())
