"""HTTP endpoint of the ECG centre's reading times (``ecg_reading``)."""

from __future__ import annotations

from typing import Annotated, Any, cast

from fastapi import APIRouter, Query, Request

from dispatch.reports import service
from dispatch.reports.deps import ReportSessionDep
from dispatch.reports.ecg_reading import ecg_reading_report
from dispatch.settings import Settings
from units.deps import CurrentUser
from units.exceptions import Forbidden
from units.vocabulary import READ_EVERYTHING_ROLES, Role

router = APIRouter(prefix="/reports", tags=["reports"])
READERS_OF_THE_REPORT = READ_EVERYTHING_ROLES | {Role.ecg_reader}


@router.get("/ecg-reading")
async def ecg_reading(
    request: Request,
    db: ReportSessionDep,
    user: CurrentUser,
    from_: Annotated[
        str, Query(alias="from", description="First day (YYYY-MM-DD, local) or a datetime")
    ],
    to: Annotated[str, Query(description="Last day, included (YYYY-MM-DD), or a datetime")],
    drill: bool = False,
) -> dict[str, Any]:
    """ECG received → first reading: median, P90 and the share within 10 minutes, overall, by
    month, by reader and by sending unit (the ECG centre, its readers and the overseers)."""
    if user.role not in READERS_OF_THE_REPORT:
        raise Forbidden(f"the {user.role} role does not read the ECG centre's report")
    settings = cast(Settings, request.app.state.settings)
    start, end = service.period(from_, to, settings.time_zone, settings.report_max_period_days)
    return await ecg_reading_report(db, start, end, settings.time_zone, drill)
