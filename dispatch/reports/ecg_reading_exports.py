"""The ECG centre's reading times as CSV and Excel (issue 16): one table, one row per group —
overall, each month, reader, sending unit and rota shift — with n, read, median, P90 and the
share read within 10 minutes; the same figures as the JSON (``ecg_reading``)."""

from __future__ import annotations

import io
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Font

from dispatch.reports.document import Lang, pick
from dispatch.reports.exports_csv import table_csv

_TEXTS: dict[str, tuple[str, str]] = {
    "title": ("心电图判读时间（收到→判读）", "ECG reading times (received → read)"),
    "grouping": ("分组方式", "Grouping"),
    "group": ("组", "Group"),
    "n": ("例数", "n"),
    "read": ("已判读", "Read"),
    "median": ("中位数（分钟）", "Median (min)"),
    "p90": ("P90（分钟）", "P90 (min)"),
    "within": ("10分钟内判读", "Read within 10 min"),
    "share": ("10分钟内判读率", "Share within 10 min"),
    "overall": ("全部", "overall"),
    "month": ("月份", "month"),
    "reader": ("判读医师", "reader"),
    "unit": ("发送单位", "sending unit"),
    "shift": ("班次", "rota shift"),
    "day": ("白班", "day shift"),
    "night": ("夜班", "night shift"),
    "off_rota": ("不在排班内", "off the rota"),
    "unread": ("未判读", "not read"),
}
_GROUPS = (("by_month", "month"), ("by_reader", "reader"), ("by_unit", "unit"))


def _figures(row: dict[str, Any]) -> list[Any]:
    keys = ("n", "read", "median_minutes", "p90_minutes", "within_target", "share_within_target")
    return [row[key] for key in keys]


def reading_table(report: dict[str, Any], lang: Lang) -> tuple[list[str], list[list[Any]]]:
    """The headings and rows of the table."""
    heads = ["grouping", "group", "n", "read", "median", "p90", "within", "share"]
    rows: list[list[Any]] = [[pick(_TEXTS["overall"], lang), "", *_figures(report["overall"])]]
    for key, grouping in _GROUPS:
        for row in report[key]:
            name = row[grouping] if row[grouping] is not None else pick(_TEXTS["unread"], lang)
            rows.append([pick(_TEXTS[grouping], lang), name, *_figures(row)])
    for row in report["by_shift"]:
        shift = _TEXTS[row["shift"] if row["shift"] is not None else "unread"]
        rows.append([pick(_TEXTS["shift"], lang), pick(shift, lang), *_figures(row)])
    return [pick(_TEXTS[head], lang) for head in heads], rows


def reading_csv(report: dict[str, Any], lang: Lang) -> bytes:
    """The table as CSV, UTF-8 with a byte-order mark (as the time-audit report's CSV)."""
    return table_csv(*reading_table(report, lang))


def reading_xlsx(report: dict[str, Any], lang: Lang) -> bytes:
    """The table as an Excel workbook, the period in its title row."""
    heads, rows = reading_table(report, lang)
    book = Workbook()
    sheet = book.active
    assert sheet is not None  # noqa: S101 - a new workbook has its sheet
    sheet.title = "ECG"
    sheet.append([f"{pick(_TEXTS['title'], lang)} {report['from']} – {report['to']}"])
    sheet["A1"].font = Font(bold=True)
    sheet.append(heads)
    for cell in sheet[2]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
