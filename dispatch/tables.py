"""Every table of every package, imported in one place for Alembic and the tests."""

from __future__ import annotations

from alerts.models import Alert, Attachment, Delivery, EscalationStep, StreamEvent, StreamHead
from dispatch.cases.models import Case, CaseAction, CaseEvent
from dispatch.drills.models import Drill
from dispatch.reports.models import ReportCase, ReportFact
from geo.models import Place, RoadNetworkInfo, RoadNode, RoadSegment
from units.models import Ambulance, AmbulancePosition, Facility, User

__all__ = [
    "Alert",
    "Ambulance",
    "AmbulancePosition",
    "Attachment",
    "Case",
    "CaseAction",
    "CaseEvent",
    "Delivery",
    "Drill",
    "EscalationStep",
    "Facility",
    "Place",
    "ReportCase",
    "ReportFact",
    "RoadNetworkInfo",
    "RoadNode",
    "RoadSegment",
    "StreamEvent",
    "StreamHead",
    "User",
]
