"""The report as a PDF a committee can read: the summary against the targets, monthly trends
with the target line, compliance per facility, and the worst cases with their timelines.

Chinese needs a CJK font (WenQuanYi Micro Hei or Noto Sans CJK, installed by
scripts/system-deps.sh); without one the PDF is written in English rather than with empty boxes.
"""

from __future__ import annotations

import io
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import matplotlib as mpl
from matplotlib.backends.backend_pdf import PdfPages
from matplotlib.figure import Figure

from dispatch.cases import delay_reasons
from dispatch.cases.chart_fonts import cjk_font
from dispatch.cases.intervals import IntervalResult, Stamp
from dispatch.reports import pdf_charts
from dispatch.reports.document import Lang, meets, overall, pick, target_text
from dispatch.reports.names import pathway_name
from dispatch.reports.service import MetricReport, Report
from dispatch.reports.trends import trend

A4_LANDSCAPE = (11.69, 8.27)
SUMMARY_ROWS = 16
QUALITY_KEYS = ("missing", "out_of_order", "clock_skew", "corrections")
CHARTS_PER_PAGE = 4
MAX_TRENDS, MAX_BARS, MAX_TIMELINES = 16, 12, 5


@dataclass(frozen=True)
class Timeline:
    case_id: int
    pathway: str
    stamps: Sequence[Stamp]
    intervals: Sequence[IntervalResult]


TEXTS = {
    "title": ("胸痛/卒中救治网络时间审计报告", "Time-audit report: chest-pain and stroke network"),
    "period": ("统计期间", "Period"),
    "cases": ("病例数", "Cases"),
    "quality": ("数据质量", "Data quality"),
    "missing": ("缺失时间点", "missing stamps"),
    "out_of_order": ("时间顺序错误", "out of order"),
    "clock_skew": ("时钟偏差", "clock skew"),
    "corrections": ("更正", "corrections"),
    "summary": ("指标汇总（对照考核目标）", "Summary against the targets"),
    "trends": ("月度趋势（虚线为目标）", "Monthly trends (dashed: target)"),
    "bars": ("各机构达标率", "Compliance by facility"),
    "worst": ("超标最严重病例", "Worst cases outside target"),
    "mean": ("均值", "mean"),
    "median": ("中位数", "median"),
    "target": ("目标", "target"),
    "at_least": ("要求", "at least"),
    "synthetic_note": ("", ""),
    "delays": ("未达标原因与环比趋势", "Missed targets by delay reason, and the trend"),
    "reason": ("原因", "Reason"),
    "metric": ("指标", "Metric"),
    "n": ("例数", "Cases"),
    "mom": ("环比", "Month on month"),
    "better": ("改善", "better"),
    "worse": ("变差", "worse"),
    "same": ("持平", "unchanged"),
}
COLUMNS = {
    "zh": ("路径", "指标", "例数", "均值", "中位数", "P90", "达标率", "目标", "达标"),
    "en": ("Pathway", "Metric", "n", "Mean", "Median", "P90", "Compliance", "Target", "Met"),
}


def t(key: str, lang: Lang) -> str:
    return pick(TEXTS[key], lang)


@contextmanager
def fonts(lang: Lang) -> Iterator[Lang]:
    """Matplotlib settings for the report; the language actually usable."""
    family = cjk_font()
    usable: Lang = lang if lang == "en" or family is not None else "en"
    families = [family, "DejaVu Sans"] if family else ["DejaVu Sans"]
    with mpl.rc_context({"font.family": families, "axes.unicode_minus": False, "pdf.fonttype": 42}):
        yield usable


def _save(pdf: PdfPages, figure: Figure) -> None:
    pdf.savefig(figure)  # type: ignore[no-untyped-call] # matplotlib's PdfPages is untyped


def _fmt(value: float | None, digits: int = 1) -> str:
    return "—" if value is None else f"{value:.{digits}f}"


def _summary_rows(metrics: Sequence[MetricReport], lang: Lang) -> list[list[str]]:
    marks = {True: "✓", False: "✗", None: ""}
    rows = []
    for item in metrics:
        m, f = item.metric, item.groups.total
        share = "—" if f.compliance is None else f"{f.compliance:.0%}"
        label = m.label(lang)
        rows.append(
            [
                pathway_name(m.pathway, lang),
                label if len(label) <= 34 else label[:33] + "…",
                str(f.n), _fmt(f.mean), _fmt(f.median), _fmt(f.p90), share,
                target_text(m, lang), marks[overall(m, f)],
            ]
        )  # fmt: skip
    return rows


def _cover(pdf: PdfPages, report: Report, lang: Lang, rows: list[list[str]], page: int) -> None:
    figure = Figure(figsize=A4_LANDSCAPE)
    scope, q = report.scope, report.quality
    zone = ZoneInfo(scope.time_zone)
    if page == 0:
        figure.text(0.05, 0.94, t("title", lang), fontsize=16)
        last = scope.end.astimezone(zone)
        whole_days = last.time() == scope.start.astimezone(zone).time() == datetime.min.time()
        shown = f"{last - timedelta(days=1):%Y-%m-%d}" if whole_days else f"{last:%Y-%m-%d %H:%M}"
        start_format = "%Y-%m-%d" if whole_days else "%Y-%m-%d %H:%M"
        filters = " · ".join(
            x
            for x in (
                pathway_name(scope.pathway, lang) if scope.pathway else None,
                scope.facility_id,
                "DRILL" if scope.drill else None,
            )
            if x
        )
        figure.text(
            0.05, 0.895,
            f"{t('period', lang)}: {scope.start.astimezone(zone).strftime(start_format)} – {shown}"
            f" ({scope.time_zone})   {t('cases', lang)}: {report.case_count}   {filters}",
            fontsize=9,
        )  # fmt: skip
        figure.text(
            0.05, 0.865,
            f"{t('quality', lang)}: "
            + ", ".join(f"{t(k, lang)} {q[k]}" for k in QUALITY_KEYS),
            fontsize=9,
        )  # fmt: skip
    ax = figure.add_axes((0.03, 0.05, 0.94, 0.78))
    ax.axis("off")
    ax.set_title(t("summary", lang), fontsize=11, loc="left")
    table = ax.table(cellText=rows, colLabels=COLUMNS[lang], loc="upper center", cellLoc="center")
    table.auto_set_font_size(False)
    table.set_fontsize(9)
    table.auto_set_column_width(list(range(len(COLUMNS[lang]))))
    table.scale(1, 1.6)
    for (row, col), cell in table.get_celld().items():
        if row == 0:
            cell.set_facecolor("#dde7f5")
        elif col == len(COLUMNS[lang]) - 1 and cell.get_text().get_text() == "✗":
            cell.get_text().set_color(pdf_charts.MISSED)
        if col == 1 and row > 0:
            cell.set_text_props(ha="left")
    _save(pdf, figure)


def _delay_rows(report: Report, lang: Lang) -> list[list[str]]:
    """(metric, reason, cases) of the period's misses, the reason ``none`` named as such."""
    labels = {(m.metric.pathway, m.metric.name): m.metric.label(lang) for m in report.metrics}
    return [
        [
            labels.get((pathway, name), name),
            pick(delay_reasons.label(code), lang),
            str(n),
        ]
        for pathway, name, code, n in report.delays
    ]


def _trend_rows(report: Report, lang: Lang) -> list[list[str]]:
    """One row per metric with a month-on-month change: what changed and whether it is better."""
    rows = []
    for item in report.metrics:
        change = trend(item.metric.kind == "rate", item.groups.by_month)["month_on_month"]
        if change is None:
            continue
        verdict = {True: "better", False: "worse", None: "same"}[change["better"]]
        moved = (
            f"{change['mean_change']:+g} min"
            if change["mean_change"] is not None
            else f"{(change['share_change'] or 0) * 100:+.1f} pp"
        )
        label = item.metric.label(lang)
        rows.append([label, f"{change['from']} → {change['to']}", moved, t(verdict, lang)])
    return rows


def _delays(pdf: PdfPages, report: Report, lang: Lang) -> None:
    """One page: the misses by delay reason (the accreditation asks for a reason per miss) and
    each metric's month-on-month trend (times should fall, shares rise)."""
    delays, trends = _delay_rows(report, lang), _trend_rows(report, lang)
    if not delays and not trends:
        return
    figure = Figure(figsize=A4_LANDSCAPE)
    figure.text(0.05, 0.94, t("delays", lang), fontsize=14)
    for rows, labels, box in (
        (delays[:20], (t("metric", lang), t("reason", lang), t("n", lang)), (0.03, 0.5, 0.45, 0.4)),
        (trends[:20], (t("metric", lang), t("mom", lang), "Δ", ""), (0.52, 0.5, 0.45, 0.4)),
    ):
        if not rows:
            continue
        ax = figure.add_axes(box)
        ax.axis("off")
        table = ax.table(cellText=rows, colLabels=labels, loc="upper center", cellLoc="left")
        table.auto_set_font_size(False)
        table.set_fontsize(8)
        table.auto_set_column_width(list(range(len(labels))))
    _save(pdf, figure)


def _pages(items: Sequence[MetricReport], per_page: int) -> Iterator[Sequence[MetricReport]]:
    for start in range(0, len(items), per_page):
        yield items[start : start + per_page]


def _trends(pdf: PdfPages, report: Report, lang: Lang) -> None:
    wanted = [
        i
        for i in report.metrics
        if len(i.groups.by_month) >= 1 and (i.groups.total.n or i.groups.total.judged)
    ]
    wanted.sort(
        key=lambda i: overall(i.metric, i.groups.total) is None
    )  # accreditation items first
    for chunk in _pages(wanted[:MAX_TRENDS], CHARTS_PER_PAGE):
        figure = Figure(figsize=A4_LANDSCAPE)
        figure.suptitle(t("trends", lang), x=0.05, ha="left", fontsize=12)
        axes = figure.subplots(2, 2).ravel()
        for ax, item in zip(axes, chunk, strict=False):
            m = item.metric
            months = sorted(item.groups.by_month)
            figures = [item.groups.by_month[month] for month in months]
            title = f"{m.label(lang)} ({pathway_name(m.pathway, lang)})"
            if m.kind == "rate":
                pdf_charts.rate_trend(
                    ax,
                    title,
                    months,
                    [f.compliance for f in figures],
                    m.rate_at_least,
                    t("at_least", lang),
                )
            else:
                target = next(
                    (t for t in (m.mean_below, m.mean_at_most) if t is not None), m.target_minutes
                )
                labels = (t("mean", lang), t("median", lang), t("target", lang))
                pdf_charts.trend(
                    ax,
                    title,
                    months,
                    [f.mean for f in figures],
                    [f.median for f in figures],
                    target,
                    labels,
                )
        for ax in axes[len(chunk) :]:
            ax.axis("off")
        figure.tight_layout(rect=(0, 0, 1, 0.95))
        _save(pdf, figure)


def _bars(pdf: PdfPages, report: Report, lang: Lang) -> None:
    wanted = [i for i in report.metrics if any(f.judged for f in i.groups.by_facility.values())]
    wanted.sort(key=lambda i: meets(i.metric, i.groups.total)["compliance"] is None)
    for chunk in _pages(wanted[:MAX_BARS], CHARTS_PER_PAGE):
        figure = Figure(figsize=A4_LANDSCAPE)
        figure.suptitle(t("bars", lang), x=0.05, ha="left", fontsize=12)
        axes = figure.subplots(2, 2).ravel()
        for ax, item in zip(axes, chunk, strict=False):
            m = item.metric
            judged = sorted(
                ((fid, f) for fid, f in item.groups.by_facility.items() if f.judged),
                key=lambda kv: kv[0] or "",
            )
            names = [
                pick(report.facilities.get(fid or "", (fid or "—", fid or "—")), lang)
                for fid, _ in judged
            ]
            shares = [f.compliance or 0.0 for _, f in judged]
            threshold = m.compliance_at_least if m.kind == "interval" else m.rate_at_least
            title = f"{m.label(lang)} ({pathway_name(m.pathway, lang)})"
            pdf_charts.facility_bars(ax, title, names, shares, threshold, t("at_least", lang))
        for ax in axes[len(chunk) :]:
            ax.axis("off")
        figure.tight_layout(rect=(0, 0, 1, 0.95))
        _save(pdf, figure)


def worst_case_ids(report: Report, limit: int = MAX_TIMELINES) -> list[int]:
    """The cases to draw: the worst of each accreditation metric first, then the others."""
    ranked = sorted(report.metrics, key=lambda i: overall(i.metric, i.groups.total) is None)
    chosen: list[int] = []
    for depth in range(3):
        for item in ranked:
            if depth < len(item.worst) and item.worst[depth].case_id not in chosen:
                chosen.append(item.worst[depth].case_id)
    return chosen[:limit]


def _timelines(
    pdf: PdfPages, report: Report, lang: Lang, timelines: Mapping[int, Timeline]
) -> None:
    zone = ZoneInfo(report.scope.time_zone)
    for case_id in worst_case_ids(report):
        found = timelines.get(case_id)
        if found is None:
            continue
        rows = max(1, sum(1 for i in found.intervals if i.minutes is not None))
        figure = Figure(figsize=A4_LANDSCAPE)
        top, bottom = figure.subplots(
            2, 1, sharex=True, gridspec_kw={"height_ratios": [3.0, 0.3 * rows + 0.6]}
        )
        title = f"{t('worst', lang)} · #{case_id} · {pathway_name(found.pathway, lang)}"
        pdf_charts.timeline(top, bottom, title, found.stamps, found.intervals, zone, lang)
        figure.tight_layout()
        _save(pdf, figure)


def report_pdf(report: Report, lang: Lang, timelines: Mapping[int, Timeline]) -> bytes:
    """The PDF as bytes."""
    buffer = io.BytesIO()
    with (
        fonts(lang) as usable,
        PdfPages(buffer, metadata={"Title": t("title", usable), "Creator": "infofirst"}) as pdf,
    ):
        rows = _summary_rows(report.metrics, usable)
        for page, start in enumerate(range(0, max(1, len(rows)), SUMMARY_ROWS)):
            _cover(pdf, report, usable, rows[start : start + SUMMARY_ROWS], page)
        _delays(pdf, report, usable)
        _trends(pdf, report, usable)
        _bars(pdf, report, usable)
        _timelines(pdf, report, usable, timelines)
    return buffer.getvalue()
