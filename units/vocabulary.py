"""The fixed words of the network: kinds, capabilities, statuses, roles, and status changes."""

from __future__ import annotations

FACILITY_KINDS = (
    "ambulance_station",
    "village_clinic",
    "township_unit",
    "county_hospital",
    "city_hospital",
)
CAPABILITIES = (
    "ecg12",
    "ecg_transmit",
    "thrombolysis",
    "pci",
    "pci_24_7",
    "ct",
    "stroke_thrombolysis",
    "thrombectomy",
)
FACILITY_STATUSES = ("ready", "busy", "offline")
CREW_CAPABILITIES = ("als", "bls", "ecg12", "ecg_transmit")
AMBULANCE_STATUSES = (
    "available",
    "dispatched",
    "en_route",
    "on_scene",
    "transporting",
    "at_destination",
    "returning",
    "out_of_service",
)
ROLES = ("admin", "dispatcher", "crew", "township", "cathlab", "auditor")
FACILITY_ROLES = ("township", "cathlab")

# The ambulance's legal status changes. Any state may go out of service (breakdown);
# a unit back in service is available.
STATUS_TRANSITIONS: dict[str, tuple[str, ...]] = {
    "available": ("dispatched", "out_of_service"),
    "dispatched": ("en_route", "available", "out_of_service"),
    "en_route": ("on_scene", "available", "out_of_service"),
    "on_scene": ("transporting", "available", "out_of_service"),
    "transporting": ("at_destination", "out_of_service"),
    "at_destination": ("returning", "available", "out_of_service"),
    "returning": ("available", "dispatched", "out_of_service"),
    "out_of_service": ("available",),
}


def allowed_transitions(current: str) -> tuple[str, ...]:
    """The statuses an ambulance in ``current`` may move to."""
    return STATUS_TRANSITIONS.get(current, ())
