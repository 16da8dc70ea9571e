"""Pydantic I/O of the units package."""

from __future__ import annotations

from typing import Annotated

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, model_validator

from geo.schemas import CrsName, Latitude, Longitude
from units.vocabulary import AmbulanceStatus, Capability, FacilityKind, FacilityStatus, Role

# The vocabulary's enums are the schemas' types (JSON values unchanged); models set
# ``use_enum_values`` so what they hand on are the plain strings the database holds.
__all__ = ["AmbulanceStatus", "Capability", "FacilityKind", "FacilityStatus", "Role"]

Slug = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9-]{1,63}$")]


class FacilityPatch(BaseModel):
    """Fields a facility's own users (status, phone, address) or an admin (all) may change."""

    model_config = ConfigDict(extra="forbid", use_enum_values=True)

    status: FacilityStatus | None = None
    phone: Annotated[str, Field(max_length=32)] | None = None
    address: Annotated[str, Field(max_length=200)] | None = None
    name_zh: Annotated[str, Field(min_length=1, max_length=100)] | None = None
    name_en: Annotated[str, Field(max_length=200)] | None = None
    capabilities: list[Capability] | None = None

    @model_validator(mode="after")
    def _no_nulls(self) -> FacilityPatch:
        nulls = sorted(name for name in self.model_fields_set if getattr(self, name) is None)
        if nulls:
            raise ValueError(f"{', '.join(nulls)} may be left out but not set to null")
        if not self.model_fields_set:
            raise ValueError("nothing to change: send at least one field")
        return self


ADMIN_ONLY_FACILITY_FIELDS = frozenset({"name_zh", "name_en", "capabilities"})


class PositionIn(BaseModel):
    """One GPS fix from an ambulance."""

    model_config = ConfigDict(extra="forbid")

    lon: Longitude
    lat: Latitude
    crs: CrsName = "wgs84"
    recorded_at: AwareDatetime
    speed_kmh: Annotated[float, Field(ge=0, le=300, allow_inf_nan=False)] | None = None
    heading: Annotated[float, Field(ge=0, le=360, allow_inf_nan=False)] | None = None


class PositionsAccepted(BaseModel):
    ambulance_id: str
    accepted: int
    position_at: AwareDatetime | None
    moved: bool


class StatusIn(BaseModel):
    model_config = ConfigDict(extra="forbid", use_enum_values=True)

    status: AmbulanceStatus
    at: AwareDatetime


class AmbulanceOut(BaseModel):
    id: str
    callsign: str
    station_id: str
    status: str
    status_at: AwareDatetime | None
    position_at: AwareDatetime | None
    crew_capability: list[str]
    lon: float | None
    lat: float | None
