"""The accreditation's trend (DOMAIN.md: times fall and shares rise month on month; the
transmission rate year on year), over a metric's monthly figures."""

from __future__ import annotations

from datetime import date

from dispatch.reports.metrics import Figures
from dispatch.reports.trends import trend


def interval(mean: float, met: int = 3, judged: int = 4) -> Figures:
    return Figures(n=judged, mean=mean, median=mean, p90=mean, judged=judged, met=met)


def rate(met: int, judged: int) -> Figures:
    return Figures(n=judged, mean=None, median=None, p90=None, judged=judged, met=met)


def test_a_falling_door_to_wire_mean_is_better_and_a_rising_one_worse() -> None:
    falling = trend(False, {date(2025, 2, 1): interval(80), date(2025, 3, 1): interval(70)})
    rising = trend(False, {date(2025, 2, 1): interval(70), date(2025, 3, 1): interval(80)})
    assert ("2025-02", "2025-03", -10.0, True) == (
        falling["month_on_month"]["from"],
        falling["month_on_month"]["to"],
        falling["month_on_month"]["mean_change"],
        falling["month_on_month"]["better"],
    )
    assert False is rising["month_on_month"]["better"]
    unchanged = trend(False, {date(2025, 2, 1): interval(70), date(2025, 3, 1): interval(70)})
    assert None is unchanged["month_on_month"]["better"]


def test_a_rising_transmission_rate_is_better_year_on_year() -> None:
    """March 2025 against March 2024 (the period holds both): 50% -> 75%, better; and month on
    month against February 2025."""
    months = {
        date(2024, 3, 1): rate(2, 4),
        date(2025, 2, 1): rate(3, 4),
        date(2025, 3, 1): rate(3, 4),
    }
    found = trend(True, months)
    assert (0.25, True) == (
        found["year_on_year"]["share_change"],
        found["year_on_year"]["better"],
    )
    assert (0.0, None) == (
        found["month_on_month"]["share_change"],
        found["month_on_month"]["better"],
    )


def test_one_month_has_no_trend() -> None:
    assert {"month_on_month": None, "year_on_year": None} == trend(
        False, {date(2025, 3, 1): interval(60)}
    )
