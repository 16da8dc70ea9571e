"""Every table of every package, imported in one place for Alembic and the tests."""

from __future__ import annotations

from dispatch.cases.models import Case, CaseEvent
from geo.models import Place, RoadNetworkInfo, RoadNode, RoadSegment
from units.models import Ambulance, AmbulancePosition, Facility, User

__all__ = [
    "Ambulance",
    "AmbulancePosition",
    "Case",
    "CaseEvent",
    "Facility",
    "Place",
    "RoadNetworkInfo",
    "RoadNode",
    "RoadSegment",
    "User",
]
