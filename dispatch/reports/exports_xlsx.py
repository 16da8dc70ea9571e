"""The report as an Excel workbook: summary, months, facilities, cases, outside target, quality."""

from __future__ import annotations

import io
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from dispatch.reports.document import (
    GROUP_NAMES,
    Lang,
    Table,
    case_table,
    findings_table,
    header,
    outside_table,
    pick,
    quality_table,
    summary_table,
)
from dispatch.reports.service import Report

SHEETS: dict[str, tuple[str, str]] = {
    "summary": ("汇总", "Summary"),
    "month": ("按月", "By month"),
    "facility": ("按机构", "By facility"),
    "cases": ("病例", "Cases"),
    "outside": ("超标病例", "Outside target"),
    "quality": ("数据质量", "Data quality"),
}
HEAD_FILL = PatternFill("solid", fgColor="DDE7F5")
MISSED_FONT = Font(color="C5221F")


def sheet_names(lang: Lang) -> list[str]:
    """The workbook's sheet names, in order."""
    return [pick(pair, lang) for pair in SHEETS.values()]


def _write(sheet: Worksheet, table: Table, widths: dict[int, int] | None = None) -> None:
    heads, rows = table
    sheet.append(heads)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        cell.fill = HEAD_FILL
    for row in rows:
        sheet.append(row)
    sheet.freeze_panes = "A2"
    for index, head in enumerate(heads, start=1):
        width = (widths or {}).get(index, max(10, min(40, len(str(head)) * 2 + 2)))
        sheet.column_dimensions[get_column_letter(index)].width = width


def _split(table: Table, group: str, lang: Lang) -> Table:
    """The summary rows of one group (by the group column)."""
    heads, rows = table
    column = heads.index(header("group", lang))
    wanted = pick(GROUP_NAMES[group], lang)
    return heads, [row for row in rows if row[column] == wanted]


def _mark_missed(sheet: Worksheet, no: str) -> None:
    """The judgement (last column) in red where a target is missed."""
    last = sheet.max_column
    for (cell,) in sheet.iter_rows(min_row=2, min_col=last, max_col=last):
        if cell.value == no:
            cell.font = MISSED_FONT


def report_xlsx(report: Report, lang: Lang) -> bytes:
    """The workbook as bytes."""
    book = Workbook()
    first = book.active
    assert first is not None  # noqa: S101 - a new workbook has one sheet
    book.remove(first)
    summary = summary_table(report, lang)
    no = "否" if lang == "zh" else "no"
    tables: list[tuple[str, Table]] = [
        ("summary", _split(summary, "total", lang)),
        ("month", _split(summary, "month", lang)),
        ("facility", _split(summary, "facility", lang)),
        ("cases", case_table(report, lang)),
        ("outside", outside_table(report, lang)),
    ]
    for key, table in tables:
        sheet = book.create_sheet(pick(SHEETS[key], lang))
        grouped = key in ("summary", "month", "facility")
        metric_column = table[0].index(header("metric", lang)) + 1 if grouped else 0
        _write(sheet, table, {metric_column: 36} if grouped else None)
        if grouped:
            _mark_missed(sheet, no)
    quality = book.create_sheet(pick(SHEETS["quality"], lang))
    _write(quality, quality_table(report, lang), {1: 24, 2: 12})
    heads, rows = findings_table(report, lang)
    quality.append([])
    quality.append(heads)
    for cell in quality[quality.max_row]:
        cell.font = Font(bold=True)
    for row in rows:
        quality.append(row)
    book.properties.title = "时间审计报告 / Time-audit report"
    book.properties.creator = "infofirst"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def cell_values(sheet: Worksheet) -> list[list[Any]]:
    """A sheet's values, row by row (for tests and checks)."""
    return [list(row) for row in sheet.iter_rows(values_only=True)]
