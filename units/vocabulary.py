"""The fixed words of the network, spelled once: roles, facility kinds, capabilities, statuses,
the named groups of roles every check uses, and the ambulance's status changes.

Each vocabulary is a ``StrEnum`` whose values are the strings on the wire and in the database
(``Role.cathlab == "cathlab"``), so pydantic schemas take the enums as field types, the tables'
CHECK constraints are built from them and scope checks compare against them: a misspelt role is
an AttributeError (and a mypy error), not a check that silently never matches. The pages'
JavaScript and ``pathways.json`` keep plain strings; the pathways are validated against these
on load.
"""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    """What a signed-in user is: it decides what they may see and do."""

    admin = "admin"
    dispatcher = "dispatcher"
    crew = "crew"
    township = "township"
    cathlab = "cathlab"
    auditor = "auditor"
    # 质控员: the chest-pain centre's data manager, who enters paper records afterwards and
    # corrects closed cases (issue 12, part f).
    data_manager = "data_manager"
    # 心电诊断中心: the county's ECG readers, who read the townships' tracings (issue 16).
    ecg_reader = "ecg_reader"


class FacilityKind(StrEnum):
    ambulance_station = "ambulance_station"
    village_clinic = "village_clinic"
    township_unit = "township_unit"
    county_hospital = "county_hospital"
    city_hospital = "city_hospital"


class Capability(StrEnum):
    """What a facility can do for a patient."""

    ecg12 = "ecg12"
    ecg_transmit = "ecg_transmit"
    thrombolysis = "thrombolysis"
    pci = "pci"
    pci_24_7 = "pci_24_7"
    ct = "ct"
    stroke_thrombolysis = "stroke_thrombolysis"
    thrombectomy = "thrombectomy"


class CrewCapability(StrEnum):
    """What an ambulance's crew can do (advanced or basic life support, ECG)."""

    als = "als"
    bls = "bls"
    ecg12 = "ecg12"
    ecg_transmit = "ecg_transmit"


class FacilityStatus(StrEnum):
    ready = "ready"
    busy = "busy"
    offline = "offline"


class AmbulanceStatus(StrEnum):
    available = "available"
    dispatched = "dispatched"
    en_route = "en_route"
    on_scene = "on_scene"
    transporting = "transporting"
    at_destination = "at_destination"
    returning = "returning"
    out_of_service = "out_of_service"


# The values, in their order, where a plain tuple of strings is wanted (CHECK constraints, help).
ROLES: tuple[str, ...] = tuple(Role)
FACILITY_KINDS: tuple[str, ...] = tuple(FacilityKind)
CAPABILITIES: tuple[str, ...] = tuple(Capability)
CREW_CAPABILITIES: tuple[str, ...] = tuple(CrewCapability)
FACILITY_STATUSES: tuple[str, ...] = tuple(FacilityStatus)
AMBULANCE_STATUSES: tuple[str, ...] = tuple(AmbulanceStatus)

# Named groups of roles: every scope check says which group it means.
# A facility's own team: the user belongs to one facility and acts for it.
FACILITY_ROLES = frozenset({Role.township, Role.cathlab})
# Sees every case, stream, alert and report.
READ_EVERYTHING_ROLES = frozenset({Role.admin, Role.dispatcher, Role.auditor, Role.data_manager})
# Changes any case, dispatches, sets any ambulance's status, sends and cancels any alert.
COORDINATOR_ROLES = frozenset({Role.admin, Role.dispatcher})
# Everyone who acts on cases (opens them, uploads attachments): all but the read-only auditor
# and the ECG readers (who read the tracings sent to them and write only their readings).
ACTING_ROLES = frozenset(Role) - {Role.auditor, Role.ecg_reader}
# Record any milestone at any facility, and correct closed cases (dispatch/cases/write_scope.py).
RECORD_ANYWHERE_ROLES = frozenset({Role.admin, Role.data_manager})

# The ambulance's legal status changes. Any state may go out of service (breakdown);
# a unit back in service is available.
_S = AmbulanceStatus
STATUS_TRANSITIONS: dict[str, tuple[str, ...]] = {
    _S.available: (_S.dispatched, _S.out_of_service),
    _S.dispatched: (_S.en_route, _S.available, _S.out_of_service),
    _S.en_route: (_S.on_scene, _S.available, _S.out_of_service),
    _S.on_scene: (_S.transporting, _S.available, _S.out_of_service),
    _S.transporting: (_S.at_destination, _S.out_of_service),
    _S.at_destination: (_S.returning, _S.available, _S.out_of_service),
    _S.returning: (_S.available, _S.dispatched, _S.out_of_service),
    _S.out_of_service: (_S.available,),
}


# A pathway's alerts go to facilities with one of its receivers' capabilities, or of one of its
# kinds: a facility offers its capabilities and ``kind:<its kind>`` (dispatch/cases/pathways.py).
KIND_PREFIX = "kind:"


def receiver_tokens(capabilities: list[str], kind: str) -> frozenset[str]:
    """What a facility offers a pathway's receivers: its capabilities and ``kind:<its kind>``."""
    return frozenset([*capabilities, f"{KIND_PREFIX}{kind}"])


def allowed_transitions(current: str) -> tuple[str, ...]:
    """The statuses an ambulance in ``current`` may move to."""
    return STATUS_TRANSITIONS.get(current, ())
