"""Charts of the PDF report, each drawn on a matplotlib Axes: trends, facility bars, timelines.

Pure drawing: plain values in, marks on the axes out.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from zoneinfo import ZoneInfo

from matplotlib.axes import Axes

from dispatch.cases.intervals import IntervalResult, Stamp, current
from dispatch.cases.milestone_labels import milestone_label

MET, MISSED, NO_TARGET, LINE = "#1e8e3e", "#d93025", "#80868b", "#1a73e8"


def trend(
    ax: Axes,
    title: str,
    months: Sequence[date],
    means: Sequence[float | None],
    medians: Sequence[float | None],
    target: float | None,
    labels: tuple[str, str, str],
) -> None:
    """Monthly mean and median minutes, with the target as a dashed red line."""
    x = list(range(len(months)))
    ax.plot(
        x, [m if m is not None else float("nan") for m in means], "o-", color=LINE, label=labels[0]
    )
    ax.plot(
        x, [m if m is not None else float("nan") for m in medians], "s--", color="#9334e6",
        label=labels[1], markersize=4,
    )  # fmt: skip
    if target is not None:
        ax.axhline(
            target, color=MISSED, linestyle="--", linewidth=1.2, label=f"{labels[2]} {target:g}"
        )
    ax.set_xticks(x, [m.strftime("%Y-%m") for m in months], rotation=45, fontsize=7)
    ax.set_title(title, fontsize=9, loc="left")
    ax.set_ylabel("min", fontsize=8)
    ax.set_ylim(bottom=0)
    ax.grid(axis="y", alpha=0.3)
    ax.legend(fontsize=7, loc="upper right")


def rate_trend(
    ax: Axes,
    title: str,
    months: Sequence[date],
    shares: Sequence[float | None],
    at_least: float | None,
    label: str,
) -> None:
    """A rate by month (bars), with the share to reach as a dashed red line."""
    x = list(range(len(months)))
    values = [s * 100 if s is not None else 0.0 for s in shares]
    colours = [
        NO_TARGET if at_least is None or s is None else MET if s >= at_least else MISSED
        for s in shares
    ]
    ax.bar(x, values, color=colours)
    if at_least is not None:
        ax.axhline(
            at_least * 100,
            color=MISSED,
            linestyle="--",
            linewidth=1.2,
            label=f"{label} {at_least:.0%}",
        )
        ax.legend(fontsize=7, loc="upper right")
    ax.set_xticks(x, [m.strftime("%Y-%m") for m in months], rotation=45, fontsize=7)
    ax.set_ylim(0, 105)
    ax.set_ylabel("%", fontsize=8)
    ax.set_title(title, fontsize=9, loc="left")
    ax.grid(axis="y", alpha=0.3)


def facility_bars(
    ax: Axes,
    title: str,
    names: Sequence[str],
    shares: Sequence[float],
    threshold: float | None,
    label: str,
) -> None:
    """Compliance per facility (horizontal bars), with the share to reach."""
    y = list(range(len(names)))
    colours = [
        NO_TARGET if threshold is None else MET if s >= threshold else MISSED for s in shares
    ]
    ax.barh(y, [s * 100 for s in shares], color=colours)
    for row, share in zip(y, shares, strict=True):
        ax.text(share * 100 + 1, row, f"{share:.0%}", va="center", fontsize=7)
    if threshold is not None:
        ax.axvline(
            threshold * 100,
            color=MISSED,
            linestyle="--",
            linewidth=1.2,
            label=f"{label} {threshold:.0%}",
        )
        ax.legend(fontsize=7, loc="lower right")
    ax.set_yticks(y, list(names), fontsize=7)
    ax.invert_yaxis()
    ax.set_xlim(0, 112)
    ax.set_xlabel("%", fontsize=8)
    ax.set_title(title, fontsize=9, loc="left")


def _minutes(at: datetime, origin: datetime) -> float:
    return (at - origin).total_seconds() / 60


def timeline(
    top: Axes,
    bottom: Axes,
    title: str,
    stamps: Sequence[Stamp],
    intervals: Sequence[IntervalResult],
    zone: ZoneInfo,
    lang: str,
) -> None:
    """A case's milestones on a time axis and its intervals as bars against their targets."""
    shown = current(stamps)
    if not shown:
        top.text(0.5, 0.5, "—", transform=top.transAxes, ha="center")
        return
    origin = shown[0].at
    for index, stamp in enumerate(shown):
        x = _minutes(stamp.at, origin)
        level = 1 + index % 6
        top.vlines(x, 0, level, color="#5f6368", linewidth=0.6)
        top.plot([x], [level], "o", color=LINE, markersize=4)
        where = f" @{stamp.facility_id}" if stamp.facility_id else ""
        top.annotate(
            f"{milestone_label(stamp.milestone, 'zh' if lang == 'zh' else 'en')}{where}"
            f"\n{stamp.at.astimezone(zone):%m-%d %H:%M}",
            (x, level), xytext=(3, 2), textcoords="offset points", fontsize=6,
        )  # fmt: skip
    top.set_ylim(0, 7.8)
    top.set_yticks([])
    top.set_title(title, fontsize=10, loc="left")
    measured = [i for i in intervals if i.start_at is not None and i.end_at is not None]
    for row, interval in enumerate(measured):
        assert interval.start_at is not None  # noqa: S101 - filtered above
        assert interval.end_at is not None  # noqa: S101 - filtered above
        left = _minutes(interval.start_at, origin)
        width = _minutes(interval.end_at, origin) - left
        colour = NO_TARGET if interval.met is None else MET if interval.met else MISSED
        bottom.barh(row, width, left=left, color=colour, height=0.6)
        label = interval.label_zh if lang == "zh" else interval.label_en
        target = "" if interval.target_minutes is None else f" / {interval.target_minutes:g}"
        bottom.text(
            left, row, f" {label}: {interval.minutes:.0f}{target} min", va="center", fontsize=6
        )
    bottom.set_yticks([])
    bottom.set_ylim(-0.7, max(1, len(measured)) - 0.3)
    bottom.invert_yaxis()
    bottom.set_xlabel(f"min ({origin.astimezone(zone):%Y-%m-%d %H:%M} = 0)", fontsize=7)
