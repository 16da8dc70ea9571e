"""Pathways as data: ``pathways.json`` validated on load. A new pathway is new data, not code.

Besides the core vocabulary (``dispatch/cases/milestones.py``), the file may define milestones
of its own (``"milestones"``: name, Chinese and English labels, whether it happens inside a
facility), so a pathway such as critical maternal care brings its own time stamps; and a
pathway's alerts may be received by facilities with a capability or of a kind.
"""

from __future__ import annotations

import json
import re
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationInfo,
    field_validator,
    model_validator,
)

from dispatch.cases.milestones import MILESTONE_SET
from units.vocabulary import CAPABILITIES, KIND_PREFIX, Capability, FacilityKind

PATHWAYS_FILE = Path(__file__).with_name("pathways.json")
_SELECTOR = re.compile(r"^(first|leg|capability:[a-z0-9_]+|where:[a-z_]+)$")


def _known(milestone: str, info: ValidationInfo | None = None) -> str:
    """The milestone, if the core vocabulary or the file's own definitions have it."""
    context = info.context if info is not None and isinstance(info.context, dict) else {}
    known: frozenset[str] = context.get("milestones", MILESTONE_SET)
    if milestone not in known:
        raise ValueError(f"unknown milestone {milestone!r}")
    return milestone


class MilestoneDef(BaseModel):
    """A milestone the pathway file adds to the core vocabulary."""

    model_config = ConfigDict(extra="forbid")

    name: Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]*$", max_length=32)]
    label_zh: Annotated[str, Field(min_length=1)]
    label_en: Annotated[str, Field(min_length=1)]
    # Happens inside a facility: takes the patient's current facility when none is given.
    in_facility: bool = False
    # Who has a button for it: a township unit's field app, a crew's tablet (its write scope
    # then allows it, as a pre-hospital time), the receiving hospital's milestone pad.
    stamped_by: list[Literal["township", "crew", "hospital"]] = []

    @field_validator("name")
    @classmethod
    def _not_core(cls, value: str) -> str:
        if value in MILESTONE_SET:
            raise ValueError(f"{value!r} is a core milestone already")
        return value


class Endpoint(BaseModel):
    """One end of an interval: the earliest stamp of a milestone (or of any of several)."""

    model_config = ConfigDict(extra="forbid")

    milestone: str | list[str]
    facility: str | None = None

    @field_validator("milestone")
    @classmethod
    def _milestones_known(cls, value: str | list[str], info: ValidationInfo) -> str | list[str]:
        for milestone in [value] if isinstance(value, str) else value:
            _known(milestone, info)
        return value

    @field_validator("facility")
    @classmethod
    def _selector_known(cls, value: str | None, info: ValidationInfo) -> str | None:
        if value is None:
            return value
        if not _SELECTOR.match(value):
            raise ValueError(
                f"facility selector {value!r}: use first, leg, capability:X or where:MILESTONE"
            )
        kind, _, arg = value.partition(":")
        if kind == "capability" and arg not in CAPABILITIES:
            raise ValueError(f"unknown capability {arg!r}")
        if kind == "where":
            _known(arg, info)
        return value

    @property
    def milestones(self) -> tuple[str, ...]:
        return (self.milestone,) if isinstance(self.milestone, str) else tuple(self.milestone)


class Conditions(BaseModel):
    """When an interval applies to a case (all given conditions must hold)."""

    model_config = ConfigDict(extra="forbid")

    present: list[str] = []
    absent: list[str] = []
    # None of these stamped at or before the interval's end (anywhere, when the end is not yet
    # stamped): "primary PCI" is a wire with no thrombolysis before it (DOMAIN.md, D2W).
    absent_before_end: list[str] = []
    # transferred: the patient was in another facility before the one where the interval's end
    # happened (a transfer between two PCI-capable hospitals is a transfer); when the end has no
    # facility, the first facility lacked ``transfer_capability``.
    transferred: bool | None = None
    transfer_capability: str = Capability.pci.value
    leg_without_capability: str | None = None  # per-leg intervals: only legs lacking it
    # per-leg intervals: only visits the patient left for another facility (a door-out or a
    # later door-in elsewhere): DIDO is for patients transferred on, not those who stayed.
    leg_transferred_on: bool = False

    @field_validator("present", "absent", "absent_before_end")
    @classmethod
    def _known_all(cls, value: list[str], info: ValidationInfo) -> list[str]:
        return [_known(m, info) for m in value]

    @field_validator("transfer_capability", "leg_without_capability")
    @classmethod
    def _known_capability(cls, value: str | None) -> str | None:
        if value is not None and value not in CAPABILITIES:
            raise ValueError(f"unknown capability {value!r}")
        return value


class ReportTargets(BaseModel):
    """How the time-audit report judges a month (besides each case's own target)."""

    model_config = ConfigDict(extra="forbid")

    mean_below: float | None = None  # the monthly mean must be less than this
    mean_at_most: float | None = None  # the monthly mean must be at most this (on it: met)
    compliance_at_least: Annotated[float, Field(ge=0, le=1)] | None = None
    aim_minutes: float | None = None

    @model_validator(mode="after")
    def _one_mean_target(self) -> ReportTargets:
        if self.mean_below is not None and self.mean_at_most is not None:
            raise ValueError("give mean_below or mean_at_most, not both")
        return self


class IntervalSpec(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    name: Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]*$")]
    label_zh: str
    label_en: str
    start: Endpoint = Field(alias="from")
    end: Endpoint = Field(alias="to")
    target_minutes: float | None = None
    met_if: Literal["le", "lt"] = "le"
    # A window target (e.g. angiography 2-24 h after lysis): met from this many minutes on,
    # up to ``target_minutes``.
    target_from_minutes: float | None = None
    per_leg: bool = False
    applies_if: Conditions = Conditions()
    report: ReportTargets = ReportTargets()

    @model_validator(mode="after")
    def _window_consistent(self) -> IntervalSpec:
        low, high = self.target_from_minutes, self.target_minutes
        if low is not None and (high is None or not low < high):
            raise ValueError(f"{self.name}: target_from_minutes needs a larger target_minutes")
        return self

    @model_validator(mode="after")
    def _legs_consistent(self) -> IntervalSpec:
        uses_leg = "leg" in (self.start.facility, self.end.facility)
        if uses_leg != self.per_leg:
            raise ValueError(f"{self.name}: the 'leg' selector goes with per_leg, and only with it")
        return self


class Receivers(BaseModel):
    """Who may receive the pathway's alerts: a facility with at least one of these capabilities,
    or of one of these kinds (e.g. the county and city hospitals for critical maternal care)."""

    model_config = ConfigDict(extra="forbid", use_enum_values=True)

    any_capability: list[Capability] = []
    any_kind: list[FacilityKind] = []

    @model_validator(mode="after")
    def _someone(self) -> Receivers:
        if not self.any_capability and not self.any_kind:
            raise ValueError("receivers: give any_capability or any_kind")
        return self

    @property
    def capabilities(self) -> frozenset[str]:
        """What a receiving facility needs one of (``receiver_tokens``)."""
        return frozenset(
            [*self.any_capability, *(f"{KIND_PREFIX}{kind}" for kind in self.any_kind)]
        )


class Pathway(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]*$")]
    name_zh: str
    name_en: str
    milestones: list[str]
    intervals: list[IntervalSpec]
    receivers: Receivers
    comment: str | None = Field(default=None, alias="_comment")

    @field_validator("milestones")
    @classmethod
    def _known_milestones(cls, value: list[str], info: ValidationInfo) -> list[str]:
        return [_known(m, info) for m in value]

    @model_validator(mode="after")
    def _unique_intervals(self) -> Pathway:
        names = [i.name for i in self.intervals]
        if len(names) != len(set(names)):
            raise ValueError(f"pathway {self.id}: interval names repeat")
        return self


class PathwayFile(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    comment: str | None = Field(default=None, alias="_comment")
    milestones: list[MilestoneDef] = []
    pathways: list[Pathway]

    @model_validator(mode="after")
    def _unique_ids(self) -> PathwayFile:
        ids = [p.id for p in self.pathways]
        if len(ids) != len(set(ids)):
            raise ValueError("pathway ids repeat")
        return self


def parse_file(text: str) -> PathwayFile:
    """The pathway file from its JSON text (its own milestones first, then the pathways that
    may use them); pydantic.ValidationError says what is wrong."""
    data = json.loads(text)
    own = [MilestoneDef.model_validate(m) for m in data.get("milestones", [])]
    known = MILESTONE_SET | {m.name for m in own}
    return PathwayFile.model_validate(data, context={"milestones": known})


def parse_pathways(text: str) -> dict[str, Pathway]:
    """Pathways by id from the JSON text; pydantic.ValidationError says what is wrong."""
    return {p.id: p for p in parse_file(text).pathways}


@lru_cache
def load_pathways(path: Path = PATHWAYS_FILE) -> dict[str, Pathway]:
    """The pathways file, validated once per process."""
    return {p.id: p for p in load_file(path).pathways}


@lru_cache
def load_file(path: Path = PATHWAYS_FILE) -> PathwayFile:
    return parse_file(path.read_text(encoding="utf-8"))


def defined_milestones() -> dict[str, MilestoneDef]:
    """The milestones the pathway file adds to the core vocabulary, by name."""
    return {m.name: m for m in load_file().milestones}
