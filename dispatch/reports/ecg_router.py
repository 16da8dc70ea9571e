"""HTTP endpoint of the ECG centre's reading times (``ecg_reading``): JSON, CSV or Excel."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Annotated, Literal, cast
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import JSONResponse

from dispatch.reports import service
from dispatch.reports.deps import ReportSessionDep
from dispatch.reports.ecg_reading import ecg_reading_report
from dispatch.reports.ecg_reading_exports import reading_csv, reading_xlsx
from dispatch.reports.router import MEDIA
from dispatch.settings import Settings
from units.deps import CurrentUser
from units.exceptions import Forbidden
from units.vocabulary import READ_EVERYTHING_ROLES, Role

router = APIRouter(prefix="/reports", tags=["reports"])
READERS_OF_THE_REPORT = READ_EVERYTHING_ROLES | {Role.ecg_reader}


@router.get("/ecg-reading", response_model=None)
async def ecg_reading(
    request: Request,
    db: ReportSessionDep,
    user: CurrentUser,
    from_: Annotated[
        str, Query(alias="from", description="First day (YYYY-MM-DD, local) or a datetime")
    ],
    to: Annotated[str, Query(description="Last day, included (YYYY-MM-DD), or a datetime")],
    drill: bool = False,
    format: Literal["json", "csv", "xlsx"] = "json",  # the reports' parameter name
    lang: Literal["zh", "en"] = "zh",
) -> Response:
    """ECG received → first reading: median, P90 and the share within 10 minutes, overall, by
    month, by reader, by sending unit and by rota shift (the ECG centre, its readers and the
    overseers); ``format=csv`` or ``xlsx``: the same figures as one table."""
    if user.role not in READERS_OF_THE_REPORT:
        raise Forbidden(f"the {user.role} role does not read the ECG centre's report")
    settings = cast(Settings, request.app.state.settings)
    start, end = service.period(from_, to, settings.time_zone, settings.report_max_period_days)
    report = await ecg_reading_report(db, start, end, settings.time_zone, drill)
    if format == "json":
        return JSONResponse(report)
    render = reading_csv if format == "csv" else reading_xlsx
    content = await asyncio.to_thread(render, report, lang)
    zone = ZoneInfo(settings.time_zone)
    first, last = start.astimezone(zone), end.astimezone(zone) - timedelta(days=1)
    name = f"ecg-reading-{first:%Y%m%d}-{last:%Y%m%d}{'-drill' if drill else ''}-{lang}.{format}"
    headers = {"Content-Disposition": f'attachment; filename="{name}"'}
    return Response(content, media_type=MEDIA[format], headers=headers)
