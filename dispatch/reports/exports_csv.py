"""The report as CSV: UTF-8 with a byte-order mark, so Excel on a Chinese desktop opens it."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from typing import Any, Literal

from dispatch.reports.document import Lang, case_table, findings_table, summary_table
from dispatch.reports.service import Report

CsvTable = Literal["summary", "cases", "findings"]


def report_csv(report: Report, lang: Lang, table: CsvTable = "summary") -> bytes:
    """One table of the report: the figures per metric and group, the cases, or the findings."""
    make = {"summary": summary_table, "cases": case_table, "findings": findings_table}[table]
    heads, rows = make(report, lang)
    return table_csv(heads, rows)


def table_csv(heads: Sequence[str], rows: Sequence[Sequence[Any]]) -> bytes:
    """A table as CSV (an empty cell for None)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(heads)
    writer.writerows(["" if cell is None else cell for cell in row] for row in rows)
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")
