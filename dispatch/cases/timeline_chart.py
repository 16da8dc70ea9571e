"""The case's timeline chart (SVG): milestones on a time axis, intervals against their targets.

Pure apart from drawing: takes the timeline and intervals and returns SVG text. Times are shown
in the county's time zone; labels are in English (the chart font has no CJK glyphs).
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from datetime import datetime
from zoneinfo import ZoneInfo

from matplotlib.figure import Figure

from dispatch.cases.intervals import IntervalResult, Stamp, current

MET, MISSED, NO_TARGET = "#1e8e3e", "#d93025", "#80868b"


def _minutes(at: datetime, origin: datetime) -> float:
    return (at - origin).total_seconds() / 60


def timeline_svg(
    title: str,
    stamps: Sequence[Stamp],
    intervals: Sequence[IntervalResult],
    time_zone: str = "Asia/Shanghai",
) -> str:
    """An SVG of the case: a dot per milestone, a bar per interval (green met, red missed)."""
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
        where = f"\n@{stamp.facility_id}" if stamp.facility_id else ""
        label = stamp.milestone.replace("_", " ") + where
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
        target = "" if interval.target_minutes is None else f" / target {interval.target_minutes:g}"
        bottom.text(
            left,
            row,
            f" {interval.label_en}: {interval.minutes:.0f} min{target}",
            va="center",
            fontsize=7,
        )
    bottom.set_yticks([])
    bottom.set_ylim(-0.7, rows - 0.3)
    bottom.invert_yaxis()
    bottom.set_xlabel(
        f"minutes from the first stamp ({origin.astimezone(zone):%Y-%m-%d %H:%M} {time_zone})",
        fontsize=8,
    )
    if not shown:
        top.text(0.5, 0.5, "no time stamps yet", transform=top.transAxes, ha="center")
    figure.tight_layout()
    buffer = io.StringIO()
    figure.savefig(buffer, format="svg")
    return buffer.getvalue()
