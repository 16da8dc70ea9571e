"""The GPS track's months (issue 17): which partitions exist ahead, which have expired."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from units.track_months import Month, add_months, expired, keep_from, wanted

CHINA = timezone(timedelta(hours=8))


def test_a_month_is_a_utc_calendar_month() -> None:
    """The last microsecond of November (UTC) is November's; 00:00 UTC on 1 December is
    December's; 07:00 on 1 December in China (23:00 UTC on 30 November) is November's."""
    assert (
        "ambulance_positions_202611"
        == Month.of(datetime(2026, 11, 30, 23, 59, 59, 999999, UTC)).name
    )
    assert "ambulance_positions_202612" == Month.of(datetime(2026, 12, 1, tzinfo=UTC)).name
    assert "ambulance_positions_202611" == Month.of(datetime(2026, 12, 1, 7, tzinfo=CHINA)).name


def test_a_naive_time_has_no_month() -> None:
    """A time without a zone is refused rather than guessed."""
    with pytest.raises(ValueError, match="time zone"):
        Month.of(datetime(2026, 12, 1))  # noqa: DTZ001 - the case under test


def test_names_round_trip_and_other_tables_are_not_months() -> None:
    """A partition's name gives its month back; the DEFAULT partition and month 13 are none."""
    month = Month.of(datetime(2027, 1, 15, tzinfo=UTC))
    assert month == Month.named(month.name)
    assert Month.named("ambulance_positions_default") is None
    assert Month.named("ambulance_positions_202613") is None


def test_months_added_clamp_the_day_and_cross_years() -> None:
    """31 January + 1 month is 28 February (29 in a leap year); December + 1 is January."""
    assert datetime(2027, 2, 28, tzinfo=UTC) == add_months(datetime(2027, 1, 31, tzinfo=UTC), 1)
    assert datetime(2028, 2, 29, tzinfo=UTC) == add_months(datetime(2028, 1, 31, tzinfo=UTC), 1)
    assert datetime(2027, 1, 1, tzinfo=UTC) == add_months(datetime(2026, 12, 1, tzinfo=UTC), 1)
    assert datetime(2025, 12, 4, tzinfo=UTC) == add_months(datetime(2026, 12, 4, tzinfo=UTC), -12)


def test_the_current_month_and_the_months_ahead_are_wanted() -> None:
    """Three months ahead on 4 December 2026: December to March."""
    names = [m.name for m in wanted(datetime(2026, 12, 4, tzinfo=UTC), 3)]
    assert [f"ambulance_positions_{m}" for m in ("202612", "202701", "202702", "202703")] == names


def test_a_month_expires_when_its_last_fix_is_as_old_as_the_retention() -> None:
    """Retention 13 months: November 2025 ends 1 December 2025 00:00 UTC; it expires at
    1 January 2027 00:00 UTC (13 months later), not a microsecond before; December 2025 stays."""
    november, december = (
        Month(datetime(2025, 11, 1, tzinfo=UTC)),
        Month(datetime(2025, 12, 1, tzinfo=UTC)),
    )
    at = datetime(2027, 1, 1, tzinfo=UTC)
    assert [november] == expired([december, november], at, 13)
    assert [] == expired([december, november], at - timedelta(microseconds=1), 13)
    assert datetime(2025, 12, 1, tzinfo=UTC) == keep_from(at, 13)


def test_the_track_is_kept_at_least_a_month() -> None:
    """A retention under one month is refused."""
    with pytest.raises(ValueError, match="at least one month"):
        keep_from(datetime(2026, 12, 4, tzinfo=UTC), 0)
