"""Pydantic I/O of cases, time stamps and dispatch."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, AwareDatetime, BaseModel, ConfigDict, Field

from dispatch.cases.identity import Address, IdNumber, PersonName, PhoneNumber
from dispatch.cases.milestones import MILESTONE_SET, MILESTONES
from dispatch.cases.pathways import defined_milestones
from geo.schemas import PointIn
from units.schemas import Slug


def _known_milestone(value: str) -> str:
    """A milestone of the core vocabulary or of the pathway file's own (issue 16)."""
    if value not in MILESTONE_SET and value not in defined_milestones():
        known = ", ".join([*MILESTONES, *defined_milestones()])
        raise ValueError(f"unknown milestone {value!r}: use one of {known}")
    return value


# The vocabulary of time stamps: the core milestones and those the pathway file defines.
Milestone = Annotated[str, Field(min_length=1, max_length=32), AfterValidator(_known_milestone)]


Age = Annotated[int, Field(ge=0, le=130)]
Sex = Literal["male", "female", "unknown"]


class Patient(BaseModel):
    """The patient as known at the call; name and ID number optional (scoped as the case)."""

    model_config = ConfigDict(extra="forbid")

    age: Age | None = None
    sex: Sex = "unknown"
    name: PersonName | None = None
    id_number: IdNumber | None = None


class PatientPatch(BaseModel):
    """What is learnt of the patient later (only the fields sent change)."""

    model_config = ConfigDict(extra="forbid")

    age: Age | None = None
    sex: Sex | None = None
    name: PersonName | None = None
    id_number: IdNumber | None = None


class CaseIn(BaseModel):
    """A new case: the pathway, where the patient is, and what is known at the call."""

    model_config = ConfigDict(extra="forbid")

    pathway: Annotated[str, Field(min_length=1, max_length=32)]
    location: PointIn
    complaint: Annotated[str, Field(max_length=500)] = ""
    symptom_onset: AwareDatetime | None = None
    call_received: AwareDatetime | None = None
    patient: Patient | None = None
    drill: bool = False
    caller_phone: PhoneNumber | None = None
    address: Address | None = None
    last_known_well_at: AwareDatetime | None = None  # stroke: when the patient was last well


class CasePatch(BaseModel):
    """Findings and decisions recorded on a case after it opened."""

    model_config = ConfigDict(extra="forbid")

    destination_facility_id: Slug | None = None
    killip_class: Annotated[int, Field(ge=1, le=4)] | None = None
    lysis_contraindicated: bool | None = None
    ongoing_ischaemia: bool | None = None
    arrhythmia: bool | None = None  # life-threatening (VT/VF, high-degree block)
    stroke_scale: Literal["race", "fast_ed", "lams"] | None = None
    stroke_score: Annotated[int, Field(ge=0, le=20)] | None = None
    last_known_well_at: AwareDatetime | None = None
    status: Literal["active", "closed"] | None = None
    caller_phone: PhoneNumber | None = None
    address: Address | None = None
    patient: PatientPatch | None = None


class EventIn(BaseModel):
    """A time stamp as a client sends it (``device_at``: the device's own clock when sent)."""

    model_config = ConfigDict(extra="forbid")

    milestone: Milestone
    at: AwareDatetime
    facility_id: Slug | None = None
    note: Annotated[str, Field(max_length=500)] = ""
    supersedes: Annotated[int, Field(ge=1)] | None = None
    reason: Annotated[str, Field(max_length=500)] = ""
    device_at: AwareDatetime | None = None


class EventOut(BaseModel):
    id: int
    case_id: int
    milestone: str
    at: datetime
    facility_id: str | None
    source: str
    recorded_by: str
    recorded_at: datetime
    device_at: datetime | None
    note: str
    supersedes: int | None
    superseded_by: int | None
    reason: str
    flags: list[str]


class IntervalOut(BaseModel):
    name: str
    label_zh: str
    label_en: str
    minutes: float | None
    target_minutes: float | None
    met: bool | None
    facility_id: str | None
    start_at: datetime | None
    end_at: datetime | None
    missing: list[str]
    note: str
    delay_reason: DelayReasonOut | None = None


class DelayReasonIn(BaseModel):
    """Why a missed interval missed (PUT /cases/{id}/delay-reasons/{metric})."""

    model_config = ConfigDict(extra="forbid")

    code: Annotated[str, Field(min_length=1, max_length=32)]
    note: Annotated[str, Field(max_length=500)] = ""
    facility_id: Slug | None = None  # a per-visit interval (DIDO): which visit


class DelayReasonOut(BaseModel):
    code: str
    label_zh: str
    label_en: str
    note: str
    recorded_by: str
    recorded_at: datetime


class LegOut(BaseModel):
    facility_id: str
    door_in: datetime | None
    door_out: datetime | None


class CaseActionOut(BaseModel):
    """A transfer, close or reopen of the case: what, when, by whom, why."""

    action: str
    at: datetime
    by: str
    role: str
    facility_id: str | None
    reason: str


class TransferIn(BaseModel):
    """Bring a facility into the case: the patient goes there (it becomes the destination)."""

    model_config = ConfigDict(extra="forbid")

    facility_id: Slug
    reason: Annotated[str, Field(max_length=500)] = ""


class ReopenIn(BaseModel):
    """Reopen a closed case, saying why."""

    model_config = ConfigDict(extra="forbid")

    reason: Annotated[str, Field(min_length=1, max_length=500, pattern=r"\S")]


class CaseOut(BaseModel):
    id: int
    pathway: str
    status: str
    drill: bool
    synthetic: bool
    lon: float
    lat: float
    complaint: str
    patient: dict[str, Any]  # age, sex, name, id_number
    caller_phone: str | None = None
    address: str | None = None
    created_by: str
    created_at: datetime
    closed_at: datetime | None
    ambulance_id: str | None
    destination_facility_id: str | None
    eta_minutes: float | None
    eta_at: datetime | None
    findings: dict[str, Any]
    legs: list[LegOut]
    timeline: list[EventOut]
    intervals: list[IntervalOut]
    history: list[CaseActionOut] = []


class CaseSummary(BaseModel):
    id: int
    pathway: str
    status: str
    drill: bool
    lon: float
    lat: float
    complaint: str
    created_at: datetime
    ambulance_id: str | None
    destination_facility_id: str | None
    eta_minutes: float | None
    eta_at: datetime | None = None
    closed_at: datetime | None = None
    # The few times a console shows (``summaries.digest``): the first current stamps.
    call_received_at: datetime | None = None
    fmc_at: datetime | None = None
    handover_at: datetime | None = None
    arrived_at: datetime | None = None
    arrived_facility_id: str | None = None  # the facility of the latest door-in
    last_activity_at: datetime | None = None
    stale: bool = False  # active, untouched for INFOFIRST_STALE_CASE_HOURS


class CancelIn(BaseModel):
    """Cancel a case (no patient, a false call, a duplicate…), saying why: it is closed."""

    model_config = ConfigDict(extra="forbid")

    reason: Annotated[str, Field(min_length=1, max_length=500, pattern=r"\S")]


class DispatchIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    ambulance_id: Slug | None = None
    at: AwareDatetime | None = None  # when the unit was notified (default: now)


class Candidate(BaseModel):
    ambulance_id: str
    callsign: str
    station_id: str
    minutes: float
    meters: float


class DispatchOut(BaseModel):
    case_id: int
    ambulance: Candidate
    alternatives: list[Candidate]
    unit_notified: EventOut
