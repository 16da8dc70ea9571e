"""Pydantic I/O of drills."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field


class DrillIn(BaseModel):
    """A drill to schedule (``scheduled_at``) or to start at once (``unannounced`` or no time)."""

    model_config = ConfigDict(extra="forbid")

    facility_id: Annotated[str, Field(min_length=1, max_length=64)]
    pathway: Annotated[str, Field(min_length=1, max_length=32)] = "stemi"
    scheduled_at: AwareDatetime | None = None
    unannounced: bool = False


class DrillOut(BaseModel):
    id: int
    facility_id: str
    pathway: str
    scheduled_at: datetime
    unannounced: bool
    status: str
    case_id: int | None
    created_by: str
    started_at: datetime | None
    ended_at: datetime | None
    score: dict[str, Any] | None
