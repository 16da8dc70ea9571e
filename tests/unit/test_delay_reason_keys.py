"""Which interval a delay reason is for, and the key it is kept under (issue 14): the visit's
facility only when the case has several intervals of the metric (DIDO per visit); a page may
send the facility it shows without knowing how many there are."""

from __future__ import annotations

import pytest

from dispatch.cases.delay_reasons import missed_interval
from dispatch.cases.exceptions import InvalidDelayReason
from dispatch.cases.intervals import IntervalResult


def result(name: str, minutes: float, facility_id: str | None) -> IntervalResult:
    """An interval of target 30 minutes, met if within it."""
    return IntervalResult(
        name, name, name, minutes, 30, minutes <= 30, None, None, facility_id=facility_id
    )


TWO_VISITS = (result("dido", 50, "th-a"), result("dido", 40, "county"), result("fmc", 5, None))


def test_one_interval_is_kept_without_a_facility_whatever_the_page_sends() -> None:
    """A single D2W at the county: no facility, or the county, names it; the key is empty."""
    d2w = (result("door_to_wire", 100, "county"),)
    found, key = missed_interval(d2w, "door_to_wire", None)
    assert ("county", "") == (found.facility_id, key)
    assert "" == missed_interval(d2w, "door_to_wire", "county")[1]
    assert "" == missed_interval((result("x", 40, None),), "x", "th-a")[1]  # names no facility
    with pytest.raises(InvalidDelayReason, match="not at th-a"):
        missed_interval(d2w, "door_to_wire", "th-a")


def test_several_visits_are_kept_by_the_visits_facility() -> None:
    """Two DIDO visits: each under its facility; without one, or with another, refused."""
    found, key = missed_interval(TWO_VISITS, "dido", "th-a")
    assert (50, "th-a") == (found.minutes, key)
    assert "county" == missed_interval(TWO_VISITS, "dido", "county")[1]
    for facility in (None, "elsewhere"):
        with pytest.raises(InvalidDelayReason, match="name the facility_id"):
            missed_interval(TWO_VISITS, "dido", facility)


def test_a_met_or_absent_interval_takes_no_reason() -> None:
    """FMC -> ECG 5 of 30 was met; an interval the case does not have is refused too."""
    with pytest.raises(InvalidDelayReason, match="did not miss"):
        missed_interval(TWO_VISITS, "fmc", None)
    with pytest.raises(InvalidDelayReason, match="not an interval"):
        missed_interval(TWO_VISITS, "door_to_wire", None)
