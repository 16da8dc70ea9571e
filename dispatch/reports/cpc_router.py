"""HTTP endpoint of the national chest-pain platform export (``cpc_export``)."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Annotated, Literal, cast
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import JSONResponse

from dispatch.reports import service
from dispatch.reports.combined import CHEST_PAIN_PATHWAYS
from dispatch.reports.cpc_export import cpc_records, cpc_xlsx
from dispatch.reports.deps import ReportSessionDep
from dispatch.reports.exceptions import InvalidReport
from dispatch.settings import Settings
from units.deps import CurrentUser

router = APIRouter(prefix="/reports", tags=["reports"])
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@router.get("/cpc-export", response_model=None)
async def cpc_export(
    request: Request,
    db: ReportSessionDep,
    user: CurrentUser,
    from_: Annotated[
        str, Query(alias="from", description="First day (YYYY-MM-DD, local) or a datetime")
    ],
    to: Annotated[str, Query(description="Last day, included (YYYY-MM-DD), or a datetime")],
    pathway: Annotated[str | None, Query(max_length=32)] = None,
    facility_id: Annotated[str | None, Query(max_length=64)] = None,
    format: Literal["json", "xlsx"] = "json",  # the contract's parameter name
) -> Response:
    """One record per chest-pain case in the platform's sections, each with ``missing``."""
    if pathway is not None and pathway not in CHEST_PAIN_PATHWAYS:
        raise InvalidReport(f"the CPC record is for chest pain: use {sorted(CHEST_PAIN_PATHWAYS)}")
    settings = cast(Settings, request.app.state.settings)
    start, end = service.period(from_, to, settings.time_zone, settings.report_max_period_days)
    scope = await service.scope_for(
        db, user, start, end, settings.time_zone, pathway, facility_id, False
    )
    records = await cpc_records(db, scope)
    if format == "json":
        return JSONResponse(
            {
                "from": start.isoformat(),
                "to": end.isoformat(),
                "facility_id": scope.facility_id,
                "count": len(records),
                "with_missing": sum(1 for r in records if r["missing"]),
                "records": records,
            }
        )
    content = await asyncio.to_thread(cpc_xlsx, records)
    zone = ZoneInfo(settings.time_zone)
    last = (end - timedelta(microseconds=1)).astimezone(zone)  # the period's last day, included
    name = f"infofirst-cpc-{start.astimezone(zone):%Y-%m-%d}_{last:%Y-%m-%d}.xlsx"
    return Response(
        content, media_type=XLSX, headers={"Content-Disposition": f'attachment; filename="{name}"'}
    )
