"""HTTP endpoint of the unit's quality-control view: JSON, Excel or PDF."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any, Literal, cast
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import JSONResponse

from dispatch.reports import qc, service
from dispatch.reports.deps import ReportSessionDep
from dispatch.reports.qc_exports import qc_pdf, qc_xlsx
from dispatch.reports.router import MEDIA
from dispatch.settings import Settings
from units.deps import CurrentUser

router = APIRouter(prefix="/qc", tags=["reports"])


@router.get("/units/{facility_id}", response_model=None)
async def unit_qc(
    facility_id: str,
    request: Request,
    db: ReportSessionDep,
    user: CurrentUser,
    from_: Annotated[str, Query(alias="from", description="First day (YYYY-MM-DD, local)")],
    to: Annotated[str, Query(description="Last day, included (YYYY-MM-DD)")],
    format: Literal["json", "xlsx", "pdf"] = "json",  # the contract's parameter name
    lang: Literal["zh", "en"] = "zh",
) -> Response:
    """Per month, each of the unit's metrics for real and drill cases side by side (n, median,
    share met) against the targets; the unit's drills and scores; the missed intervals' delay
    reasons. County roles and auditors: any unit; a unit: its own."""
    settings = cast(Settings, request.app.state.settings)
    start, end = service.period(from_, to, settings.time_zone, settings.report_max_period_days)
    view = await qc.unit_qc(
        db, user, facility_id, start, end, settings.time_zone,
        settings.alert_ack_timeout_seconds, datetime.now(UTC),
    )  # fmt: skip
    if format == "json":
        body: dict[str, Any] = qc.qc_json(view)
        return JSONResponse(body)
    render = qc_xlsx if format == "xlsx" else qc_pdf
    content = await asyncio.to_thread(render, view, lang)
    zone = ZoneInfo(settings.time_zone)
    last = end.astimezone(zone) - timedelta(days=1)
    name = f"qc-{facility_id}-{start.astimezone(zone):%Y%m%d}-{last:%Y%m%d}-{lang}.{format}"
    headers = {"Content-Disposition": f'attachment; filename="{name}"'}
    return Response(content, media_type=MEDIA[format], headers=headers)
