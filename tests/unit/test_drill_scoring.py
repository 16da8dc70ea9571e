"""A drill's score from its case's intervals (pure)."""

from __future__ import annotations

from dispatch.cases.intervals import IntervalResult
from dispatch.drills.scoring import score


def interval(name: str, minutes: float | None, met: bool | None, *missing: str) -> IntervalResult:
    return IntervalResult(name, name, name, minutes, 10, met, None, None, missing=missing)


def test_the_score_counts_judged_and_met_and_lists_what_was_missing() -> None:
    """Measured intervals are judged; one with a missing stamp is listed, not judged."""
    found = score(
        [
            interval("a", 9.994, True),
            interval("b", 10.01, False),
            interval("c", None, None, "first_ecg"),
        ]
    )
    assert (2, 1) == (found["judged"], found["met"])
    assert [("a", 9.99, True, []), ("b", 10.01, False, []), ("c", None, None, ["first_ecg"])] == [
        (r["name"], r["minutes"], r["met"], r["missing"]) for r in found["intervals"]
    ]
