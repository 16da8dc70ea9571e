"""The national chest-pain data platform record (中国胸痛中心数据填报平台) of one case. Pure.

DOMAIN.md, "The national chest-pain data platform record": accredited centres file every
chest-pain case in sections (registration, first aid by arrival mode, pre-hospital lysis, ECGs,
troponin, diagnosis, ED/CCU bypass, PCI, delay) and data managers retype them today. This
builds the record from the case's current stamps, in those sections and time nodes, with
``missing``: each required time that is absent (what the platform would refuse or flag), so
the data manager fixes the gaps before filing.

Which times are required depends on the case: every chest-pain case needs onset, first medical
contact, first ECG and the door-in of the facility the record is filed by; an ambulance case
the call; a transfer the first hospital's door-in and door-out; STEMI the diagnosis; lysis its
start; primary PCI the cath-lab activation, the puncture and the wire; a troponin draw its
result. Times not in the product's vocabulary (consent, antiplatelet loading, procedure end) are
not listed: the platform asks for them on its own form.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from dispatch.cases.intervals import Leg, Stamp, stamp_facility
from dispatch.reports.rates import AMBULANCE_MILESTONES


@dataclass(frozen=True)
class CaseFacts:
    """What the record needs of a case besides its stamps."""

    case_id: int
    pathway: str
    created_at: datetime
    patient_age: int | None
    patient_sex: str | None
    status: str
    closed_at: datetime | None


def _first(stamps: Sequence[Stamp], milestone: str) -> Stamp | None:
    return next((s for s in stamps if s.milestone == milestone), None)


def _at(stamp: Stamp | None) -> str | None:
    return None if stamp is None else stamp.at.isoformat()


def arrival_mode(stamps: Sequence[Stamp], case_legs: Sequence[Leg], filer: str | None) -> str:
    """How the patient reached the filing facility: ``transfer`` (another facility first),
    ``ambulance`` (120 stamps), else ``walk_in``."""
    if case_legs and filer is not None and case_legs[0].facility_id != filer:
        return "transfer"
    if any(s.milestone in AMBULANCE_MILESTONES for s in stamps):
        return "ambulance"
    return "walk_in"


def filing_facility(
    stamps: Sequence[Stamp], case_legs: Sequence[Leg], caps: Mapping[str, frozenset[str]]
) -> str | None:
    """The facility that files the record: where the wire crossed, else the first PCI facility
    the patient reached, else the last facility reached."""
    wire = _first(stamps, "wire_crossing")
    if wire is not None and (where := stamp_facility(wire, stamps)) is not None:
        return where
    pci = next((g.facility_id for g in case_legs if "pci" in caps.get(g.facility_id, ())), None)
    return pci or (case_legs[-1].facility_id if case_legs else None)


def cpc_record(
    case: CaseFacts,
    stamps: Sequence[Stamp],
    case_legs: Sequence[Leg],
    caps: Mapping[str, frozenset[str]],
) -> dict[str, Any]:
    """The case's record in the platform's sections; ``stamps`` are the current ones in time
    order, ``case_legs`` its facility visits."""
    filer = filing_facility(stamps, case_legs, caps)
    mode = arrival_mode(stamps, case_legs, filer)
    door = next((g for g in case_legs if g.facility_id == filer), None)
    first_leg = case_legs[0] if mode == "transfer" and case_legs else None
    one = {m: _first(stamps, m) for m in {s.milestone for s in stamps}}
    lysed = "thrombolysis_start" in one
    wire = one.get("wire_crossing")
    primary_pci = wire is not None and not any(
        s.milestone == "thrombolysis_start" and s.at <= wire.at for s in stamps
    )
    d2w = (
        None
        if wire is None or door is None or door.door_in is None or not primary_pci
        else round((wire.at - door.door_in).total_seconds() / 60, 1)
    )

    def seen_at_door(milestone: str) -> bool:
        return any(s.milestone == milestone and s.facility_id in (filer, None) for s in stamps)

    record: dict[str, Any] = {
        "case_id": case.case_id,
        "registration": {
            "pathway": case.pathway,
            "patient_age": case.patient_age,
            "patient_sex": case.patient_sex,
            "registered_at": case.created_at.isoformat(),
            "filing_facility_id": filer,
        },
        "first_aid": {
            "arrival_mode": mode,
            "symptom_onset": _at(one.get("symptom_onset")),
            "call_received": _at(one.get("call_received")),
            "first_medical_contact": _at(one.get("first_medical_contact")),
            "door_in": None if door is None or door.door_in is None else door.door_in.isoformat(),
            "transfer": {  # the first hospital of a transfer (all None otherwise)
                "first_facility_id": None if first_leg is None else first_leg.facility_id,
                "door_in": None if first_leg is None else _iso(first_leg.door_in),
                "door_out": None if first_leg is None else _iso(first_leg.door_out),
            },
        },
        "prehospital_lysis": {"lysed": lysed, "start": _at(one.get("thrombolysis_start"))},
        "ecg": {
            "first_ecg": _at(one.get("first_ecg")),
            "transmitted": _at(one.get("ecg_transmitted")),
            "diagnosis": _at(one.get("diagnosis")),
        },
        "troponin": {
            "drawn": _at(one.get("troponin_drawn")),
            "result": _at(one.get("troponin_result")),
        },
        "bypass": {
            "ed": not seen_at_door("ed_arrival"),
            "ccu": not seen_at_door("ccu_arrival"),
        },
        "pci": {
            "primary_pci": primary_pci,
            "cathlab_activated": _at(one.get("cathlab_activated")),
            "cathlab_arrival": _at(one.get("cathlab_arrival")),
            "arterial_puncture": _at(one.get("arterial_puncture")),
            "wire_crossing": _at(wire),
            "door_to_wire_minutes": d2w,
        },
        "outcome": {
            "status": case.status,
            "closed_at": None if case.closed_at is None else case.closed_at.isoformat(),
        },
    }
    record["missing"] = _missing(case.pathway, mode, one, door, first_leg, primary_pci)
    return record


def _iso(at: datetime | None) -> str | None:
    return None if at is None else at.isoformat()


def _missing(
    pathway: str,
    mode: str,
    one: Mapping[str, Stamp | None],
    door: Leg | None,
    first_leg: Leg | None,
    primary_pci: bool,
) -> list[str]:
    """The required times the record lacks (see the module's docstring for which)."""
    required = ["symptom_onset", "first_medical_contact", "first_ecg"]
    required += ["call_received"] if mode == "ambulance" else []
    required += ["diagnosis"] if pathway == "stemi" else []
    required += ["troponin_result"] if "troponin_drawn" in one else []
    if primary_pci:
        required += ["cathlab_activated", "arterial_puncture"]
    gaps = [m for m in required if one.get(m) is None]
    if door is None or door.door_in is None:
        gaps.append("door_in")
    if first_leg is not None:
        gaps += ["transfer.door_in"] if first_leg.door_in is None else []
        gaps += ["transfer.door_out"] if first_leg.door_out is None else []
    return gaps
