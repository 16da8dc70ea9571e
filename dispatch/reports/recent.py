"""Recent figures per facility from the read model, for decision support.

``recent_door_to_wire`` is what the app gives ``dispatch.cases.decision_inputs`` (cases never
import reports): each PCI centre's own door-to-wire over its most recent cases, the same
``door_to_wire`` facts the reports count (real capabilities, drills left out, an interval
ending before it starts left out), in one query for every centre asked about.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from dispatch.reports.models import ReportFact

DOOR_TO_WIRE = "door_to_wire"
RECENT_CASES = 50  # per facility: its most recent wire crossings


async def recent_door_to_wire(
    db: AsyncSession, facility_ids: Sequence[str], limit: int = RECENT_CASES
) -> dict[str, list[float]]:
    """Each facility's door-to-wire minutes over its ``limit`` most recent cases, newest first."""
    if not facility_ids:
        return {}
    ranked = (
        select(
            ReportFact.facility_id,
            ReportFact.minutes,
            func.row_number()
            .over(
                partition_by=ReportFact.facility_id,
                order_by=(ReportFact.end_at.desc(), ReportFact.case_id.desc()),
            )
            .label("recent"),
        )
        .where(
            ReportFact.name == DOOR_TO_WIRE,
            ReportFact.drill.is_(False),
            ReportFact.minutes >= 0,
            ReportFact.facility_id.in_(list(facility_ids)),
        )
        .subquery()
    )
    rows = await db.execute(
        select(ranked.c.facility_id, ranked.c.minutes)
        .where(ranked.c.recent <= limit)
        .order_by(ranked.c.facility_id, ranked.c.recent)
    )
    found: dict[str, list[float]] = {facility_id: [] for facility_id in facility_ids}
    for facility_id, minutes in rows:
        found[facility_id].append(float(minutes))
    return found
