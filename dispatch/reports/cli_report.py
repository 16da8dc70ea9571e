"""``infofirst report``: the time-audit report written to a file, with a progress bar.

The command line reads every facility's figures (it runs with the database's own rights, like
the auditor role).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import UTC, datetime
from typing import get_args

from sqlalchemy.ext.asyncio import AsyncSession

from dispatch.reports import service
from dispatch.reports.document import Lang, report_json
from dispatch.reports.exceptions import InvalidReport
from dispatch.reports.exports_csv import CsvTable, report_csv
from dispatch.reports.exports_pdf import Timeline, report_pdf
from dispatch.reports.exports_xlsx import report_xlsx
from dispatch.reports.router import Format, cases_for, timelines
from dispatch.settings import Settings

Step = Callable[[str], None]
STEPS = ("scope", "figures", "drawing", "done")


def check_choices(fmt: str, lang: str, table: str) -> tuple[Format, Lang, CsvTable]:
    """The format, language and CSV table, or InvalidReport naming the choices."""
    for value, choices, what in (
        (fmt, get_args(Format), "format"),
        (lang, ("zh", "en"), "language"),
        (table, get_args(CsvTable), "table"),
    ):
        if value not in choices:
            raise InvalidReport(f"unknown {what} {value!r}: use {', '.join(choices)}")
    return fmt, lang, table  # type: ignore[return-value]


async def produce(
    db: AsyncSession,
    settings: Settings,
    start: str,
    end: str,
    fmt: Format,
    lang: Lang,
    table: CsvTable,
    pathway: str | None,
    facility_id: str | None,
    drill: bool,
    step: Step,
) -> bytes:
    """The report file's bytes; ``step`` is told as each stage begins."""
    import json

    step("scope")
    first, last = service.period(start, end, settings.time_zone, settings.report_max_period_days)
    scope = await service.scope_for(
        db, None, first, last, settings.time_zone, pathway, facility_id, drill
    )
    step("figures")
    report = await service.build_report(
        db,
        scope,
        settings.alert_ack_timeout_seconds,
        datetime.now(UTC),
        cases_for(fmt, "all", table),
    )
    step("drawing")
    if fmt == "json":
        text = json.dumps(report_json(report), ensure_ascii=False, indent=1)
        return text.encode("utf-8")
    if fmt == "csv":
        return await asyncio.to_thread(report_csv, report, lang, table)
    if fmt == "xlsx":
        return await asyncio.to_thread(report_xlsx, report, lang)
    drawn: dict[int, Timeline] = await timelines(db, report)
    return await asyncio.to_thread(report_pdf, report, lang, drawn)
