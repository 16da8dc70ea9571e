"""After a cath lab (or stroke team) was activated, a changed recommendation is a warning, never
a swap (issue 13, item 7): the destination stays where the team is waiting until someone
changes it deliberately (a transfer). Pure: stamps and facility ids in, plain values out."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from dispatch.cases.intervals import Stamp, current


@dataclass(frozen=True)
class ActivationCheck:
    """The latest activation, the destination kept, and whether the recommendation differs."""

    activated_facility_id: str | None
    activated_at: datetime | None
    kept_destination_id: str | None
    recommended_facility_id: str | None
    changed_after_activation: bool


def check(
    stamps: Iterable[Stamp], destination_id: str | None, recommended_id: str | None
) -> ActivationCheck:
    """Compare the recommendation with the destination kept since the latest activation (the
    case's destination if one was set, else the activated facility)."""
    activations = [s for s in current(stamps) if s.milestone == "cathlab_activated"]
    latest = activations[-1] if activations else None
    activated_id = latest.facility_id if latest else None
    kept = destination_id or activated_id
    return ActivationCheck(
        activated_facility_id=activated_id,
        activated_at=latest.at if latest else None,
        kept_destination_id=kept,
        recommended_facility_id=recommended_id,
        changed_after_activation=latest is not None
        and recommended_id is not None
        and kept is not None
        and recommended_id != kept,
    )
