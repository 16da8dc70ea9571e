"""Rate metrics as data (``rates.json``), validated on load, and their pure per-case test."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from dispatch.cases.intervals import Leg, Stamp, stamp_facility
from dispatch.cases.milestones import MILESTONE_SET
from units.vocabulary import CAPABILITIES

RATES_FILE = Path(__file__).with_name("rates.json")
Arrival = Literal["walk_in", "ambulance", "transfer"]
# Stamps that only an ambulance (a 120 call) leaves on a case.
AMBULANCE_MILESTONES = frozenset(
    {"call_received", "unit_notified", "unit_en_route", "unit_on_scene", "unit_left_scene"}
)


class MetIf(BaseModel):
    model_config = ConfigDict(extra="forbid")

    stamp_before_door: str | None = None
    absent_at_door: list[str] | None = None  # none of these at that facility (bypassed them)
    present_any: list[str] | None = None  # any of these on the case (e.g. lysed: a rate of use)

    @model_validator(mode="after")
    def _exactly_one(self) -> MetIf:
        given = [
            [self.stamp_before_door] if self.stamp_before_door else None,
            self.absent_at_door,
            self.present_any,
        ]
        named = [g for g in given if g is not None]
        if len(named) != 1:
            raise ValueError("met_if takes one of stamp_before_door, absent_at_door, present_any")
        if not named[0] or any(m not in MILESTONE_SET for m in named[0]):
            raise ValueError("met_if names known milestones")
        return self


class RateSpec(BaseModel):
    """A share of applicable cases that meet a condition, with the share to reach."""

    model_config = ConfigDict(extra="forbid")

    name: Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]*$")]
    label_zh: str
    label_en: str
    pathways: list[str]
    capability: str
    # The door the rate is judged at: the facility where this milestone was stamped (e.g. the
    # wire's hospital for primary PCI); without it, the first facility with ``capability``.
    door_of: str | None = None
    arrival: list[Arrival]
    present_any: list[str] = []
    absent: list[str] = []
    met_if: MetIf
    facility: Literal["destination", "first"]
    at_least: Annotated[float, Field(ge=0, le=1)] | None = None

    @field_validator("capability")
    @classmethod
    def _capability_known(cls, value: str) -> str:
        if value not in CAPABILITIES:
            raise ValueError(f"unknown capability {value!r}")
        return value

    @field_validator("present_any", "absent")
    @classmethod
    def _milestones_known(cls, value: list[str]) -> list[str]:
        unknown = [m for m in value if m not in MILESTONE_SET]
        if unknown:
            raise ValueError(f"unknown milestones {unknown}")
        return value

    @field_validator("door_of")
    @classmethod
    def _door_known(cls, value: str | None) -> str | None:
        if value is not None and value not in MILESTONE_SET:
            raise ValueError(f"unknown milestone {value!r}")
        return value


class RateFile(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    comment: str | None = Field(default=None, alias="_comment")
    rates: list[RateSpec]


@lru_cache
def load_rates(path: Path = RATES_FILE) -> tuple[RateSpec, ...]:
    """The rate metrics, validated once per process."""
    parsed = RateFile.model_validate(json.loads(path.read_text(encoding="utf-8")))
    return tuple(parsed.rates)


def _door(
    stamps: Sequence[Stamp],
    case_legs: Sequence[Leg],
    caps: Mapping[str, frozenset[str]],
    cap: str,
    door_of: str | None,
) -> Leg | None:
    """The visit a rate is judged at: the first at the facility where ``door_of`` happened
    (None until it happened there), else the first at a facility with ``cap``."""
    if door_of is None:
        return next((g for g in case_legs if cap in caps.get(g.facility_id, ())), None)
    found = next((s for s in stamps if s.milestone == door_of), None)
    where = stamp_facility(found, stamps) if found is not None else None
    return next((g for g in case_legs if g.facility_id == where), None)


def arrival(
    stamps: Sequence[Stamp],
    case_legs: Sequence[Leg],
    caps: Mapping[str, frozenset[str]],
    cap: str,
    door_of: str | None = None,
) -> tuple[Arrival, Leg] | None:
    """How the patient reached the facility the rate is judged at (``_door``), and that visit
    (None: never): another facility first is a transfer, even between two PCI hospitals."""
    door = _door(stamps, case_legs, caps, cap, door_of)
    if door is None or door.door_in is None:
        return None
    if case_legs[0] is not door:
        return "transfer", door
    by_ambulance = any(s.milestone in AMBULANCE_MILESTONES for s in stamps)
    return ("ambulance" if by_ambulance else "walk_in"), door


def rate_met(
    spec: RateSpec,
    stamps: Sequence[Stamp],
    case_legs: Sequence[Leg],
    caps: Mapping[str, frozenset[str]],
) -> tuple[bool, str] | None:
    """Whether the case meets the rate's condition and the facility it is attributed to.

    None: the rate does not apply to the case. ``stamps`` are the current ones, in time order.
    """
    found = arrival(stamps, case_legs, caps, spec.capability, spec.door_of)
    if found is None or found[0] not in spec.arrival:
        return None
    _, door = found
    present = {s.milestone for s in stamps}
    if spec.present_any and not present.intersection(spec.present_any):
        return None
    if present.intersection(spec.absent):
        return None
    assert door.door_in is not None  # noqa: S101 - arrival() returns only visits with a door-in
    if spec.met_if.stamp_before_door is not None:
        wanted = spec.met_if.stamp_before_door
        met = any(s.milestone == wanted and s.at < door.door_in for s in stamps)
    elif spec.met_if.present_any is not None:
        met = bool(present.intersection(spec.met_if.present_any))
    else:
        unwanted = spec.met_if.absent_at_door or []
        met = not any(
            s.milestone in unwanted and s.facility_id in (door.facility_id, None) for s in stamps
        )
    facility = door.facility_id if spec.facility == "destination" else case_legs[0].facility_id
    return met, facility
