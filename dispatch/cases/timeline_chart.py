"""The case's timeline chart (SVG): milestones on a time axis, intervals against their targets.

Pure apart from drawing: takes the timeline and intervals and returns SVG text. Times are shown
in the county's time zone; labels in Chinese or English (Chinese needs a CJK font: without one
the chart is drawn in English, see ``chart_fonts``).
"""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence
from datetime import datetime
from zoneinfo import ZoneInfo

import matplotlib as mpl
from matplotlib.figure import Figure

from dispatch.cases.chart_fonts import cjk_font
from dispatch.cases.intervals import IntervalResult, Stamp, current
from dispatch.cases.milestone_labels import Lang, milestone_label
from dispatch.cases.pathways import load_pathways

MET, MISSED, NO_TARGET = "#1e8e3e", "#d93025", "#80868b"
TEXTS: dict[str, tuple[str, str]] = {
    "target": (" / 目标 {target}", " / target {target}"),
    "bar": (" {label}：{minutes:.0f} 分钟{target}", " {label}: {minutes:.0f} min{target}"),
    "axis": (
        "距首个时间点的分钟数（{origin} {zone}）",
        "minutes from the first stamp ({origin} {zone})",
    ),
    "empty": ("尚无时间点", "no time stamps yet"),
}


def _text(key: str, lang: Lang) -> str:
    zh, en = TEXTS[key]
    return zh if lang == "zh" else en


def timeline_title(case_id: int, pathway: str, drill: bool, lang: Lang) -> str:
    """The chart's title: the case, its pathway's name, and whether it is a drill."""
    found = load_pathways().get(pathway)
    name = pathway if found is None else found.name_zh if lang == "zh" else found.name_en
    if lang == "zh":
        return f"病例 {case_id} · {name}" + (" · 演练" if drill else "")
    return f"Case {case_id} · {name}" + (" · DRILL" if drill else "")


def usable_lang(lang: Lang) -> Lang:
    """The language the chart can be drawn in: Chinese only with a CJK font installed."""
    return lang if lang == "en" or cjk_font() is not None else "en"


def _minutes(at: datetime, origin: datetime) -> float:
    return (at - origin).total_seconds() / 60


def timeline_svg(
    title: str,
    stamps: Sequence[Stamp],
    intervals: Sequence[IntervalResult],
    time_zone: str = "Asia/Shanghai",
    lang: Lang = "en",
    facility_names: Mapping[str, str] | None = None,
) -> str:
    """An SVG of the case: a dot per milestone, a bar per interval (green met, red missed), in
    ``lang`` (``usable_lang``); facilities by their names in ``facility_names`` (else the id)."""
    family = cjk_font()
    families = [family, "DejaVu Sans"] if family and lang == "zh" else ["DejaVu Sans"]
    with mpl.rc_context({"font.family": families, "axes.unicode_minus": False}):
        return _draw(title, stamps, intervals, time_zone, lang, facility_names or {})


def _draw(
    title: str,
    stamps: Sequence[Stamp],
    intervals: Sequence[IntervalResult],
    time_zone: str,
    lang: Lang,
    facility_names: Mapping[str, str],
) -> str:
    zone = ZoneInfo(time_zone)
    shown = current(stamps)
    origin = min((s.at for s in shown), default=datetime.now(zone))
    measured = [i for i in intervals if i.start_at is not None and i.end_at is not None]
    rows = max(1, len(measured))
    figure = Figure(figsize=(12, 3.4 + 0.38 * rows), dpi=100)
    top, bottom = figure.subplots(
        2, 1, sharex=True, gridspec_kw={"height_ratios": [3.0, 0.38 * rows + 0.4]}
    )
    for index, stamp in enumerate(shown):
        x = _minutes(stamp.at, origin)
        level = 1 + index % 6
        top.vlines(x, 0, level, color="#5f6368", linewidth=0.6)
        top.plot([x], [level], "o", color="#1a73e8", markersize=5)
        place = facility_names.get(stamp.facility_id or "", stamp.facility_id)
        where = f"\n@{place}" if place else ""
        label = milestone_label(stamp.milestone, lang) + where
        top.annotate(
            f"{label}\n{stamp.at.astimezone(zone):%H:%M}",
            (x, level),
            xytext=(3, 2),
            textcoords="offset points",
            fontsize=7,
        )
    top.set_ylim(0, 7.8)
    top.set_yticks([])
    top.set_title(title, fontsize=10, loc="left")
    for row, interval in enumerate(measured):
        assert interval.start_at is not None  # noqa: S101 - filtered above
        assert interval.end_at is not None  # noqa: S101 - filtered above
        left = _minutes(interval.start_at, origin)
        width = _minutes(interval.end_at, origin) - left
        colour = NO_TARGET if interval.met is None else MET if interval.met else MISSED
        bottom.barh(row, width, left=left, color=colour, height=0.6)
        target = (
            ""
            if interval.target_minutes is None
            else _text("target", lang).format(target=f"{interval.target_minutes:g}")
        )
        label = interval.label_zh if lang == "zh" else interval.label_en
        bar = _text("bar", lang).format(label=label, minutes=interval.minutes, target=target)
        bottom.text(left, row, bar, va="center", fontsize=7)
    bottom.set_yticks([])
    bottom.set_ylim(-0.7, rows - 0.3)
    bottom.invert_yaxis()
    axis = _text("axis", lang).format(
        origin=f"{origin.astimezone(zone):%Y-%m-%d %H:%M}", zone=time_zone
    )
    bottom.set_xlabel(axis, fontsize=8)
    if not shown:
        top.text(0.5, 0.5, _text("empty", lang), transform=top.transAxes, ha="center")
    figure.tight_layout()
    buffer = io.StringIO()
    figure.savefig(buffer, format="svg")
    return buffer.getvalue()
