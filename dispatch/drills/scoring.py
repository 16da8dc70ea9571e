"""A drill's score: the drill case's intervals against their targets. Pure: no I/O, no clock.

Each interval the case measured is listed with its minutes, its target and whether it met the
target by its pathway's rule (``met_if``, already applied by ``compute_intervals``); intervals
with a missing stamp are listed as missing, so the score shows what the drill did not reach.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from dispatch.cases.intervals import IntervalResult


def score(intervals: Sequence[IntervalResult]) -> dict[str, Any]:
    """``{intervals: [{name, label_zh, label_en, facility_id, minutes, target_minutes, met,
    missing}], judged, met}``: judged counts the measured intervals that have a target."""
    rows = [
        {
            "name": result.name,
            "label_zh": result.label_zh,
            "label_en": result.label_en,
            "facility_id": result.facility_id,
            "minutes": None if result.minutes is None else round(result.minutes, 2),
            "target_minutes": result.target_minutes,
            "met": result.met,
            "missing": list(result.missing),
        }
        for result in intervals
    ]
    judged = [row for row in rows if row["met"] is not None]
    return {
        "intervals": rows,
        "judged": len(judged),
        "met": sum(1 for row in judged if row["met"]),
    }
