"""Pydantic I/O of alerts."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from units.schemas import Slug


class AlertIn(BaseModel):
    """What a township unit or an ambulance sends ahead of the patient."""

    model_config = ConfigDict(extra="forbid")

    case_id: Annotated[int, Field(ge=1)]
    to_facility_id: Slug
    pathway: Annotated[str, Field(min_length=1, max_length=32)]
    summary: Annotated[str, Field(min_length=1, max_length=1000)]
    vitals: dict[str, Annotated[str | int | float, Field()]] = {}
    attachment_ids: Annotated[list[Annotated[str, Field(max_length=36)]], Field(max_length=10)] = []
    eta_minutes: Annotated[float, Field(ge=0, le=24 * 60, allow_inf_nan=False)] | None = None


class AckIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    action: Literal["acknowledged", "activated", "declined"]
    note: Annotated[str, Field(max_length=500)] = ""

    @model_validator(mode="after")
    def _decline_gives_a_reason(self) -> AckIn:
        """The sender must learn why: a decline without a reason is refused (422)."""
        self.note = self.note.strip()
        if self.action == "declined" and not self.note:
            raise ValueError("a decline needs a reason in note (the sender is told it)")
        return self


class CancelIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: Annotated[str, Field(min_length=1, max_length=500)]


class AlertOut(BaseModel):
    """The alert, and the sequence number of its frame in the receiving facility's stream."""

    alert: dict[str, Any]
    seq: int
    epoch: int
