"""What an ambulance crew is told of its mission (issue 13, item 1), on its own stream.

``assigned`` is appended in the dispatch's transaction, ``released`` when the ambulance is
released from the case (status ``available``); both through ``alerts.missions``. The payload
is the case as a crew needs it on the road: where (the point, the village, the address when
the case has one), who (pathway, complaint, age and sex), how to call back (the caller's phone
when the case has one), and where the ambulance starts from (for the route on the map).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from alerts import missions as alert_missions
from dispatch.cases.models import Case
from dispatch.cases.schemas import Candidate
from geo import gazetteer
from geo.points import lon_lat, require_lon_lat
from units.models import Ambulance

# Columns other parts of the case may have (the console's call-taking adds them): copied into
# the mission when the case has them.
OPTIONAL_CASE_FIELDS = ("caller_phone", "address", "patient_name")


def mission(
    case: Case,
    ambulance: Ambulance,
    at: datetime,
    place: dict[str, str] | None,
    route: Candidate | None,
) -> dict[str, Any]:
    """The mission frame's payload (pure)."""
    lon, lat = require_lon_lat(case.location, f"case {case.id}")
    start = lon_lat(ambulance.position)
    found: dict[str, Any] = {
        "case_id": case.id,
        "ambulance_id": ambulance.id,
        "callsign": ambulance.callsign,
        "pathway": case.pathway,
        "drill": case.drill,
        "complaint": case.complaint,
        "patient": {"age": case.patient_age, "sex": case.patient_sex},
        "lon": lon,
        "lat": lat,
        "place": place,
        "at": at.isoformat(),
        "from": None if start is None else {"lon": start[0], "lat": start[1]},
        "minutes": None if route is None else route.minutes,
        "meters": None if route is None else route.meters,
    }
    for name in OPTIONAL_CASE_FIELDS:
        value = getattr(case, name, None)
        if value:
            found[name] = value
    return found


async def _place(db: AsyncSession, case: Case) -> dict[str, str] | None:
    lon, lat = require_lon_lat(case.location, f"case {case.id}")
    found = await gazetteer.nearest(db, lon, lat)
    if found is None:
        return None
    return {"name_zh": found.name_zh, "pinyin": found.pinyin, "township_zh": found.township_zh}


async def tell_assigned(
    db: AsyncSession, case: Case, ambulance: Ambulance, at: datetime, route: Candidate | None
) -> None:
    """Tell the ambulance's crew of the case it was just dispatched to."""
    payload = mission(case, ambulance, at, await _place(db, case), route)
    await alert_missions.publish(db, ambulance.id, alert_missions.ASSIGNED, payload)


async def tell_released(db: AsyncSession, case: Case, ambulance: Ambulance, at: datetime) -> None:
    """Tell the ambulance's crew that it is released from the case."""
    payload = {"case_id": case.id, "ambulance_id": ambulance.id, "at": at.isoformat()}
    await alert_missions.publish(db, ambulance.id, alert_missions.RELEASED, payload)
