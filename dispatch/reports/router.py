"""HTTP endpoint of the time-audit report: figures against the targets, as JSON, CSV, Excel, PDF."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import Annotated, Any, Literal, cast

from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import JSONResponse
from sqlalchemy.ext.asyncio import AsyncSession

from dispatch.cases import service as cases_service
from dispatch.reports import service
from dispatch.reports.deps import ReportSessionDep
from dispatch.reports.document import report_json
from dispatch.reports.exports_csv import CsvTable, report_csv
from dispatch.reports.exports_pdf import Timeline, report_pdf, worst_case_ids
from dispatch.reports.exports_xlsx import report_xlsx
from dispatch.reports.names import report_file_name
from dispatch.reports.service import CasesMode, Report
from dispatch.settings import Settings
from units.deps import CurrentUser

router = APIRouter(prefix="/reports", tags=["reports"])

Format = Literal["json", "csv", "xlsx", "pdf"]
MEDIA = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pdf": "application/pdf",
}


async def timelines(db: AsyncSession, report: Report) -> dict[int, Timeline]:
    """The stamps and intervals of the cases the PDF draws."""
    found = {}
    for case_id in worst_case_ids(report):
        case = await cases_service.get_case(db, case_id)
        _, stamps, intervals = await cases_service.case_intervals(db, case)
        found[case_id] = Timeline(case_id, case.pathway, stamps, intervals)
    return found


async def render(
    db: AsyncSession, report: Report, fmt: Format, lang: Literal["zh", "en"], table: CsvTable
) -> tuple[bytes, str]:
    """The report's file and its media type (drawing runs off the event loop)."""
    if fmt == "csv":
        return await asyncio.to_thread(report_csv, report, lang, table), MEDIA["csv"]
    if fmt == "xlsx":
        return await asyncio.to_thread(report_xlsx, report, lang), MEDIA["xlsx"]
    drawn = await timelines(db, report)
    return await asyncio.to_thread(report_pdf, report, lang, drawn), MEDIA["pdf"]


def cases_for(fmt: Format, cases: CasesMode, table: CsvTable) -> CasesMode:
    """Which case rows the format needs."""
    if fmt == "json":
        return cases
    if fmt == "csv":
        return "none" if table == "summary" else "all"
    return "all" if fmt == "xlsx" else "none"


@router.get("/intervals", response_model=None)
async def intervals(
    request: Request,
    db: ReportSessionDep,
    user: CurrentUser,
    from_: Annotated[
        str, Query(alias="from", description="First day (YYYY-MM-DD, local) or a datetime")
    ],
    to: Annotated[str, Query(description="Last day, included (YYYY-MM-DD), or a datetime")],
    pathway: Annotated[str | None, Query(max_length=32)] = None,
    facility_id: Annotated[str | None, Query(max_length=64)] = None,
    format: Format = "json",  # the contract's parameter name
    lang: Literal["zh", "en"] = "zh",
    drill: Annotated[bool, Query(description="Report the drills (reported apart)")] = False,
    cases: Annotated[
        CasesMode, Query(description="JSON case rows: all, only those outside target, none")
    ] = "all",
    table: Annotated[
        CsvTable, Query(description="CSV: summary figures, one row per case, or findings")
    ] = "summary",
) -> Response:
    """Per metric n, mean, median, p90, compliance and target (whole period, by month, by
    facility), the worst cases, data-quality findings and one row per case."""
    settings = cast(Settings, request.app.state.settings)
    start, end = service.period(from_, to, settings.time_zone, settings.report_max_period_days)
    scope = await service.scope_for(
        db, user, start, end, settings.time_zone, pathway, facility_id, drill
    )
    report = await service.build_report(
        db,
        scope,
        settings.alert_ack_timeout_seconds,
        datetime.now(UTC),
        cases_for(format, cases, table),
    )
    if format == "json":
        body: dict[str, Any] = report_json(report)
        return JSONResponse(body)
    content, media = await render(db, report, format, lang, table)
    name = report_file_name(
        start,
        end,
        settings.time_zone,
        format,
        pathway=scope.pathway,
        facility_id=scope.facility_id,
        drill=drill,
        table=table if format == "csv" else None,
        lang=lang,
    )
    headers = {"Content-Disposition": f'attachment; filename="{name}"'}
    return Response(content, media_type=media, headers=headers)
