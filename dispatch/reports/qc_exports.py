"""The unit's quality-control view as an Excel workbook and as a PDF (质控, issue 16).

Both show the same tables: the metrics month by month (real and drill side by side against the
target), the drills with their scores, and the missed intervals with their delay reasons. The
PDF draws Chinese with the CJK font the report uses (``exports_pdf.fonts``: English without one).
"""

from __future__ import annotations

import io
from typing import Any
from zoneinfo import ZoneInfo

from matplotlib.backends.backend_pdf import PdfPages
from matplotlib.figure import Figure
from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill

from dispatch.cases import delay_reasons
from dispatch.reports.document import Lang, pick, target_text
from dispatch.reports.exports_pdf import A4_LANDSCAPE, fonts
from dispatch.reports.names import pathway_name
from dispatch.reports.qc import Side, UnitQc, drill_score

TEXTS: dict[str, tuple[str, str]] = {
    "title": ("质控报告", "Quality-control report"),
    "metrics": (
        "指标（真实病例与演练对照目标）",
        "Metrics: real and drill cases against the targets",
    ),
    "drills": ("演练", "Drills"),
    "missed": ("未达标环节与原因", "Missed intervals and their reasons"),
    "period": ("统计期间", "Period"),
    "month": ("月份", "Month"),
    "pathway": ("路径", "Pathway"),
    "metric": ("指标", "Metric"),
    "target": ("目标", "Target"),
    "real_n": ("真实 例数", "Real n"),
    "real_median": ("真实 中位数", "Real median"),
    "real_share": ("真实 达标率", "Real met"),
    "drill_n": ("演练 例数", "Drill n"),
    "drill_median": ("演练 中位数", "Drill median"),
    "drill_share": ("演练 达标率", "Drill met"),
    "drill_id": ("演练编号", "Drill"),
    "scheduled": ("计划时间", "Scheduled"),
    "kind": ("方式", "Kind"),
    "status": ("状态", "Status"),
    "case": ("病例", "Case"),
    "score": ("得分（达标/考核）", "Score (met/judged)"),
    "real_or_drill": ("真实/演练", "Real/drill"),
    "minutes": ("分钟", "Minutes"),
    "reason": ("原因", "Reason"),
    "note": ("备注", "Note"),
    "unannounced": ("突击", "unannounced"),
    "announced": ("预告", "announced"),
    "real": ("真实", "real"),
    "drill": ("演练", "drill"),
    "scheduled_status": ("已计划", "scheduled"),
    "started_status": ("进行中", "started"),
    "ended_status": ("已结束", "ended"),
    "cancelled_status": ("已取消", "cancelled"),
    "none": ("（无）", "(none)"),
}
SHEETS: dict[str, tuple[str, str]] = {
    "metrics": ("指标", "Metrics"),
    "drills": ("演练", "Drills"),
    "missed": ("未达标原因", "Missed"),
}
HEAD_FILL = PatternFill("solid", fgColor="DDE7F5")


def t(key: str, lang: Lang) -> str:
    return pick(TEXTS[key], lang)


def _num(value: float | None, digits: int = 1) -> str:
    return "—" if value is None else f"{value:.{digits}f}"


def _share(side: Side | None) -> str:
    return "—" if side is None or side.compliance is None else f"{side.compliance:.0%}"


def metric_table(qc: UnitQc, lang: Lang) -> tuple[list[str], list[list[Any]]]:
    keys = ("month", "pathway", "metric", "target", "real_n", "real_median", "real_share",
            "drill_n", "drill_median", "drill_share")  # fmt: skip
    rows = [
        [
            f"{row.month:%Y-%m}",
            pathway_name(item.metric.pathway, lang),
            item.metric.label(lang),
            target_text(item.metric, lang),
            row.real.n if row.real else 0,
            _num(row.real.median if row.real else None),
            _share(row.real),
            row.drill.n if row.drill else 0,
            _num(row.drill.median if row.drill else None),
            _share(row.drill),
        ]
        for item in qc.metrics
        for row in item.months
    ]
    rows.sort(key=lambda r: str(r[0]))
    return [t(k, lang) for k in keys], rows


def drill_table(qc: UnitQc, lang: Lang) -> tuple[list[str], list[list[Any]]]:
    keys = ("drill_id", "scheduled", "pathway", "kind", "status", "case", "score")
    zone = ZoneInfo(qc.time_zone)
    rows = []
    for d in qc.drills:
        score = drill_score(d)
        rows.append(
            [
                d.id,
                f"{d.scheduled_at.astimezone(zone):%Y-%m-%d %H:%M}",
                pathway_name(d.pathway, lang),
                t("unannounced" if d.unannounced else "announced", lang),
                t(f"{d.status}_status", lang),
                d.case_id or "",
                f"{score[0]}/{score[1]}" if score else "",
            ]
        )
    return [t(k, lang) for k in keys], rows


def missed_table(qc: UnitQc, lang: Lang) -> tuple[list[str], list[list[Any]]]:
    keys = ("case", "real_or_drill", "month", "metric", "minutes", "target", "reason", "note")
    zone = ZoneInfo(qc.time_zone)
    labels = {item.metric.key: item.metric.label(lang) for item in qc.metrics}
    rows = [
        [
            m.case_id,
            t("drill" if m.drill else "real", lang),
            f"{m.ref_at.astimezone(zone):%Y-%m}",
            labels.get((m.pathway, m.metric), m.metric),
            _num(m.minutes),
            _num(m.target_minutes, 0),
            pick(delay_reasons.label(m.code or delay_reasons.NONE), lang),
            m.note,
        ]
        for m in qc.missed
    ]
    return [t(k, lang) for k in keys], rows


def _title(qc: UnitQc, lang: Lang) -> str:
    zone = ZoneInfo(qc.time_zone)
    name = qc.name_zh if lang == "zh" else qc.name_en
    return (
        f"{t('title', lang)} · {name} ({qc.facility_id}) · {t('period', lang)}"
        f" {qc.start.astimezone(zone):%Y-%m-%d} – {qc.end.astimezone(zone):%Y-%m-%d}"
    )


def qc_xlsx(qc: UnitQc, lang: Lang) -> bytes:
    """The workbook: one sheet each for the metrics, the drills and the missed intervals."""
    book = Workbook()
    first = True
    for key, table in (
        ("metrics", metric_table(qc, lang)),
        ("drills", drill_table(qc, lang)),
        ("missed", missed_table(qc, lang)),
    ):
        sheet = book.active if first and book.active is not None else book.create_sheet()
        first = False
        sheet.title = pick(SHEETS[key], lang)
        sheet.append([_title(qc, lang)])
        head, rows = table
        sheet.append(head)
        for cell in sheet[2]:
            cell.font, cell.fill = Font(bold=True), HEAD_FILL
        for row in rows:
            sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


ROWS_PER_PAGE = 18


def _table_pages(
    pdf: PdfPages, title: str, heading: str, table: tuple[list[str], list[list[Any]]]
) -> None:
    head, rows = table
    for start in range(0, max(1, len(rows)), ROWS_PER_PAGE):
        figure = Figure(figsize=A4_LANDSCAPE)
        figure.text(0.03, 0.95, title, fontsize=12)
        ax = figure.add_axes((0.03, 0.05, 0.94, 0.84))
        ax.axis("off")
        ax.set_title(heading, fontsize=11, loc="left")
        chunk = [[str(v) for v in row] for row in rows[start : start + ROWS_PER_PAGE]]
        if chunk:
            shown = ax.table(cellText=chunk, colLabels=head, loc="upper center", cellLoc="center")
            shown.auto_set_font_size(False)
            shown.set_fontsize(8)
            shown.auto_set_column_width(list(range(len(head))))
            shown.scale(1, 1.5)
            for (row, _), cell in shown.get_celld().items():
                if row == 0:
                    cell.set_facecolor("#dde7f5")
        else:
            ax.text(0.0, 0.9, "—", fontsize=11)
        pdf.savefig(figure)  # type: ignore[no-untyped-call] # matplotlib's PdfPages is untyped


def qc_pdf(qc: UnitQc, lang: Lang) -> bytes:
    """The PDF: the metrics, the drills and the missed intervals, as tables."""
    buffer = io.BytesIO()
    with (
        fonts(lang) as usable,
        PdfPages(buffer, metadata={"Title": _title(qc, usable), "Creator": "infofirst"}) as pdf,
    ):
        title = _title(qc, usable)
        _table_pages(pdf, title, t("metrics", usable), metric_table(qc, usable))
        _table_pages(pdf, title, t("drills", usable), drill_table(qc, usable))
        _table_pages(pdf, title, t("missed", usable), missed_table(qc, usable))
    return buffer.getvalue()
