"""The pure metric module: percentiles, figures, grouping by local month and by facility.

Every expected number is worked out by hand from the fixtures in test_report_fixtures.py.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from dispatch.reports.facts import Fact
from dispatch.reports.metrics import (
    Figures,
    aggregate,
    figures,
    month_of,
    percentile,
    quality_counts,
)
from tests.unit.test_report_fixtures import (
    A47,
    B_WALK_IN,
    C_AMBULANCE,
    COUNTY,
    D_STROKE,
    DINGJI,
    E_DINGJI,
    NANDUN,
    facts_of,
)

MARCH, APRIL = date(2025, 3, 1), date(2025, 4, 1)
REAL = (A47, B_WALK_IN, C_AMBULANCE, D_STROKE, E_DINGJI)


def interval(minutes: float | None, met: bool | None = None) -> Fact:
    return Fact("x", 0, "interval", None, minutes, 10.0, met)


@pytest.fixture(scope="module")
def groups() -> dict[tuple[str, str], object]:
    """The fixtures' real cases aggregated by Asia/Shanghai month."""
    cases = [facts_of(case, number) for number, case in enumerate(REAL, start=1)]
    return aggregate(cases, month_of("Asia/Shanghai"))  # type: ignore[return-value]


def test_percentile_interpolates_between_closest_ranks() -> None:
    """Like percentile_cont: [4, 5, 12, 15] has median 8.5 and p90 14.1."""
    assert 8.5 == percentile([4, 5, 12, 15], 0.5)
    assert 14.1 == pytest.approx(percentile([4, 5, 12, 15], 0.9))


@pytest.mark.parametrize(
    ("values", "fraction", "expected"),
    [([7.0], 0.5, 7.0), ([7.0], 0.9, 7.0), ([1.0, 2.0], 0.0, 1.0), ([1.0, 2.0], 1.0, 2.0),
     ([1.0, 2.0, 3.0], 0.5, 2.0), ([0.0, 10.0], 0.9, 9.0)],
)  # fmt: skip
def test_percentile_edges(values: list[float], fraction: float, expected: float) -> None:
    """One value, the ends, an odd count and two values give the textbook answers."""
    assert expected == pytest.approx(percentile(values, fraction))


def test_percentile_refuses_nothing_and_fractions_outside_0_1() -> None:
    """No values, or a fraction outside [0, 1], is a ValueError."""
    with pytest.raises(ValueError, match="no values"):
        percentile([], 0.5)
    with pytest.raises(ValueError, match="between 0 and 1"):
        percentile([1.0], 1.5)


def test_figures_leave_missing_and_negative_out_and_count_them() -> None:
    """Missing and negative intervals are counted apart, never averaged or judged."""
    found = figures([interval(4, True), interval(12, False), interval(None), interval(-2)])
    assert Figures(2, 8.0, 8.0, 11.2, 2, 1, missing=1, negative=1) == Figures(
        found.n, found.mean, found.median, pytest.approx(found.p90), found.judged, found.met,
        found.missing, found.negative,
    )  # fmt: skip
    assert (0.5, 1) == (found.compliance, found.outside)


def test_figures_of_nothing_measured() -> None:
    """Only missing stamps: n 0, no mean, no compliance."""
    found = figures([interval(None)])
    assert (0, None, None, None, 1) == (
        found.n,
        found.mean,
        found.median,
        found.compliance,
        found.missing,
    )


def test_a_rate_counts_the_cases_it_applies_to() -> None:
    """A rate's n is its applicable cases and its compliance the share that meet it."""
    found = figures([Fact("r", 0, "rate", None, None, None, met) for met in (True, True, False)])
    assert (3, 2, pytest.approx(2 / 3), None) == (found.n, found.met, found.compliance, found.mean)


def test_months_are_local() -> None:
    """16:05 UTC on 31 March is 1 April in Asia/Shanghai, and still March in UTC."""
    at = datetime(2025, 3, 31, 16, 5, tzinfo=UTC)
    assert (APRIL, MARCH) == (month_of("Asia/Shanghai")(at), month_of("UTC")(at))


def test_fmc_to_first_ecg_over_the_fixtures(groups: dict) -> None:  # type: ignore[type-arg]
    """4, 12, 5, 15 minutes: mean 9, median 8.5, p90 14.1, 2 of 4 within 10 minutes."""
    total = groups[("stemi", "fmc_to_first_ecg")].total
    assert (4, 9.0, 8.5, 2, 4, 0.5, 2) == (
        total.n, total.mean, total.median, total.met, total.judged, total.compliance, total.outside
    )  # fmt: skip
    assert 14.1 == pytest.approx(total.p90)


def test_fmc_to_first_ecg_by_month_and_by_facility(groups: dict) -> None:  # type: ignore[type-arg]
    """March [4, 12] and April [5, 15]; Nandun 4, county 12 and 5, Dingji 15."""
    found = groups[("stemi", "fmc_to_first_ecg")]
    assert {MARCH: (2, 8.0, 8.0, 0.5), APRIL: (2, 10.0, 10.0, 0.5)} == {
        m: (f.n, f.mean, f.median, f.compliance) for m, f in found.by_month.items()
    }
    assert {NANDUN: (1, 4.0, 1.0), COUNTY: (2, 8.5, 0.5), DINGJI: (1, 15.0, 0.0)} == {
        p: (f.n, f.mean, f.compliance) for p, f in found.by_facility.items()
    }


def test_negative_intervals_are_left_out(groups: dict) -> None:  # type: ignore[type-arg]
    """First ECG to diagnosis: 8, 8, 15 (and C's -2 left out): mean 10.33, median 8, p90 13.6."""
    total = groups[("stemi", "first_ecg_to_diagnosis")].total
    assert (3, 8.0, 3, 2, 1) == (total.n, total.median, total.judged, total.met, total.negative)
    assert (31 / 3, 13.6) == (pytest.approx(total.mean), pytest.approx(total.p90))


def test_door_to_wire(groups: dict) -> None:  # type: ignore[type-arg]
    """23, 105, 20, 45: mean 48.25, median 34, p90 87, 3 of 4 within 90 minutes."""
    total = groups[("stemi", "door_to_wire")].total
    assert (4, 48.25, 34.0, 0.75) == (total.n, total.mean, total.median, total.compliance)
    assert 87.0 == pytest.approx(total.p90)
    assert {COUNTY} == set(groups[("stemi", "door_to_wire")].by_facility)


def test_missing_stamps_are_counted_per_metric(groups: dict) -> None:  # type: ignore[type-arg]
    """Critical value to puncture: 47 and 94 measured, two cases without a critical value."""
    total = groups[("stemi", "critical_value_to_puncture")].total
    assert (2, 70.5, 1, 2) == (total.n, total.mean, total.met, total.missing)
    activation = groups[("stemi", "cathlab_activation")].total
    assert (3, 28.0, 26.0, 2, 1) == (
        activation.n, activation.mean, activation.median, activation.met, activation.missing
    )  # fmt: skip
    assert 33.2 == pytest.approx(activation.p90)


def test_per_leg_door_in_door_out_and_transfer_intervals(groups: dict) -> None:  # type: ignore[type-arg]
    """DIDO 28 at Nandun and 55 at Dingji; FMC to wire 78 and 140 transferred, 105 and 57 direct."""
    dido = groups[("stemi", "door_in_door_out")]
    assert {NANDUN: (28.0, 1), DINGJI: (55.0, 0)} == {
        p: (f.mean, f.met) for p, f in dido.by_facility.items()
    }
    assert (109.0, 0.5) == (
        groups[("stemi", "fmc_to_wire_transferred")].total.mean,
        groups[("stemi", "fmc_to_wire_transferred")].total.compliance,
    )
    assert (81.0, 0.5) == (
        groups[("stemi", "fmc_to_wire_direct")].total.mean,
        groups[("stemi", "fmc_to_wire_direct")].total.compliance,
    )


def test_rates(groups: dict) -> None:  # type: ignore[type-arg]
    """ECG transmitted before arrival 2 of 3; ED and CCU bypass 2 of 3 (ambulance or transfer);
    CCU bypass 1 of 1 (the walk-in went through the ED, which a walk-in may)."""
    found = {
        name: (groups[("stemi", name)].total.n, groups[("stemi", name)].total.met)
        for name in ("ecg_transmitted_prehospital", "ed_bypass_transferred", "ccu_bypass_walk_in")
    }
    assert {
        "ecg_transmitted_prehospital": (3, 2),
        "ed_bypass_transferred": (3, 2),
        "ccu_bypass_walk_in": (1, 1),
    } == found


def test_stroke_metrics(groups: dict) -> None:  # type: ignore[type-arg]
    """The stroke case: door to CT 20, needle 50, groin 30 (city), CT read missing."""
    assert (20.0, 50.0, 30.0, 1) == (
        groups[("stroke", "door_to_ct")].total.mean,
        groups[("stroke", "door_to_needle")].total.mean,
        groups[("stroke", "door_to_groin")].total.mean,
        groups[("stroke", "door_to_ct_read")].total.missing,
    )


def test_quality_counts_over_the_fixtures() -> None:
    """Missing 1+2+2+4+4, out of order 2, clock skew 1, corrections 1, in all five cases."""
    cases = [facts_of(case) for case in REAL]
    assert {
        "missing": 13,
        "out_of_order": 2,
        "clock_skew": 1,
        "corrections": 1,
        "cases_with_findings": 5,
    } == quality_counts(cases)
