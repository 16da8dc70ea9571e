"""After an activation the recommendation may differ from the destination kept: a warning."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from dispatch.cases.activation import check
from dispatch.cases.intervals import Stamp

T0 = datetime(2026, 12, 4, 8, 0, tzinfo=UTC)


def activated(event_id: int, facility: str, minutes: int, superseded: bool = False) -> Stamp:
    return Stamp(
        event_id, "cathlab_activated", T0 + timedelta(minutes=minutes), facility, superseded
    )


def test_no_activation_no_warning() -> None:
    """Before any activation the recommendation is free to change."""
    assert not check([], None, "city-hospital").changed_after_activation


def test_a_different_recommendation_after_activation_is_flagged_and_the_destination_kept() -> None:
    """Activated at the county, now recommended the city: flagged, the county kept."""
    found = check([activated(1, "county-hospital", 5)], None, "city-hospital")
    assert ("county-hospital", "county-hospital", True) == (
        found.activated_facility_id,
        found.kept_destination_id,
        found.changed_after_activation,
    )


def test_a_deliberate_change_or_the_same_recommendation_is_not_flagged() -> None:
    """Transferred to the recommended centre, or recommended where activated: no warning."""
    stamps = [activated(1, "county-hospital", 5)]
    assert not check(stamps, "city-hospital", "city-hospital").changed_after_activation
    assert not check(stamps, None, "county-hospital").changed_after_activation
    assert not check(stamps, None, None).changed_after_activation  # awaiting diagnosis


def test_the_latest_current_activation_counts() -> None:
    """A superseded activation is ignored; the latest of the others is the one kept."""
    stamps = [
        activated(1, "county-hospital", 5),
        activated(2, "city-hospital", 9, superseded=True),
    ]
    assert "county-hospital" == check(stamps, None, "city-hospital").kept_destination_id
