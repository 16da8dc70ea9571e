"""Stroke and trauma intervals (pure): every expected minute is written by hand."""

from __future__ import annotations

from datetime import timedelta

import pytest

from dispatch.cases.intervals import Stamp
from tests.unit.intervals_helpers import (
    CITY,
    COUNTY,
    TOWNSHIP_A,
    compute,
    local,
    names,
    only,
    stamps,
    utc,
)

# --- stroke and trauma --------------------------------------------------------------------

STROKE = stamps(
    ("facility_arrival", local(14, 23, 0), TOWNSHIP_A),
    ("facility_departure", local(14, 23, 35), TOWNSHIP_A),
    ("facility_arrival", local(14, 23, 50), COUNTY),
    ("ct_start", utc(14, 16, 4), COUNTY),  # 00:04 local
    ("ct_read", local(15, 0, 30), COUNTY),
    ("facility_departure", local(15, 1, 30), COUNTY),
    ("facility_arrival", local(15, 2, 20), CITY),
    ("arterial_puncture", local(15, 3, 30), CITY),
)


def test_door_to_ct_uses_the_door_where_ct_was_done() -> None:
    """CT at the county 00:04: door-to-CT counts from the county door 23:50 (14), not 23:00."""
    result = only(compute("stroke", STROKE), "door_to_ct")
    assert (14.0, True, COUNTY, local(14, 23, 50)) == (
        result.minutes,
        result.met,
        result.facility_id,
        result.start_at,
    )


def test_door_to_ct_read_and_groin_use_their_own_facility() -> None:
    """CT read 00:30 at the county (40, < 45 met); groin 03:30 at the city, door 02:20 (70)."""
    results = compute("stroke", STROKE)
    read = only(results, "door_to_ct_read")
    assert (40.0, True, COUNTY) == (read.minutes, read.met, read.facility_id)
    groin = only(results, "door_to_groin")
    assert (70.0, True, CITY) == (groin.minutes, groin.met, groin.facility_id)


@pytest.mark.parametrize(("minutes", "met"), [(24, True), (25, True), (26, False)])
def test_door_to_ct_is_at_most_25(minutes: int, met: bool) -> None:
    """Door-to-CT is '<= 25' (DOMAIN.md, stroke: door -> CT <= 25 min; Target: Stroke): 24 and
    25 met, 26 missed."""
    door = local(14, 23, 50)
    case = stamps(
        ("facility_arrival", door, COUNTY),
        ("ct_start", door + timedelta(minutes=minutes), COUNTY),
    )
    result = only(compute("stroke", case), "door_to_ct")
    assert (float(minutes), met) == (result.minutes, result.met)


def test_stroke_door_to_needle_only_with_thrombolysis() -> None:
    """Without a needle there is no door_to_needle; with one at the county 00:40 it is 50 (≤ 60)."""
    assert "door_to_needle" not in names(compute("stroke", STROKE))
    with_needle = [*STROKE, Stamp(99, "thrombolysis_start", utc(14, 16, 40), COUNTY)]
    result = only(compute("stroke", with_needle), "door_to_needle")
    assert (50.0, 60, True, COUNTY) == (
        result.minutes,
        result.target_minutes,
        result.met,
        result.facility_id,
    )


def test_stroke_dido_at_legs_without_thrombectomy() -> None:
    """Stroke DIDO at the township (35) and the county (100, missed), not at the city."""
    dido = [r for r in compute("stroke", STROKE) if r.name == "door_in_door_out"]
    assert [(TOWNSHIP_A, 35.0, True), (COUNTY, 100.0, False)] == [
        (r.facility_id, r.minutes, r.met) for r in dido
    ]


def test_stroke_critical_value_to_puncture_needs_a_puncture() -> None:
    """Stroke's critical-value interval appears only with a puncture (here 01:10 → 03:30)."""
    assert "critical_value_to_puncture" not in names(compute("stroke", STROKE[:3]))
    case = [*STROKE, Stamp(99, "critical_value_reported", local(15, 1, 10), COUNTY)]
    result = only(compute("stroke", case), "critical_value_to_puncture")
    assert (140.0, False) == (result.minutes, result.met)


def test_trauma_pathway_computes_call_to_scene() -> None:
    """Trauma (data only): call 23:55 → on scene 00:09 next day = 14 min, met (≤ 15)."""
    case = stamps(
        ("call_received", local(14, 23, 55)),
        ("unit_on_scene", utc(14, 16, 9)),
        ("unit_left_scene", local(15, 0, 21)),
    )
    results = compute("trauma", case)
    call = only(results, "call_to_scene")
    assert (14.0, 15, True) == (call.minutes, call.target_minutes, call.met)
    scene = only(results, "scene_time")
    assert (12.0, False) == (scene.minutes, scene.met)
