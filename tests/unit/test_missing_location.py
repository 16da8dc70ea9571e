"""A stored record without its location fails loudly: never a patient (or a place) at 0,0."""

from __future__ import annotations

from typing import Any, cast

import pytest
from geoalchemy2.shape import from_shape
from shapely.geometry import Point

from dispatch.cases import decision_inputs, dispatching
from dispatch.cases import service as cases_service
from dispatch.cases.models import Case
from dispatch.http import problems
from geo.exceptions import MissingLocation
from geo.models import Place
from geo.points import require_lon_lat
from geo.router import place_out

EMPTY = from_shape(Point(), srid=4326)


def test_a_stored_point_is_read() -> None:
    """A point that is there comes back as (lon, lat)."""
    assert (114.88, 33.44) == require_lon_lat(from_shape(Point(114.88, 33.44), srid=4326), "x")


@pytest.mark.parametrize("geometry", [None, EMPTY])
def test_no_point_is_a_missing_location_naming_the_record(geometry: Any) -> None:
    """No geometry, or an empty one: MissingLocation naming the record, not (0, 0)."""
    with pytest.raises(MissingLocation, match="case 12 has no location"):
        require_lon_lat(geometry, "case 12")


def test_a_missing_location_is_a_logged_500_not_a_client_problem() -> None:
    """A broken record is the server's fault: no 4xx problem type, so the 500 handler logs it."""
    assert None is problems._lookup(MissingLocation("case 12"))


def test_a_case_without_location_is_not_summarised_at_0_0() -> None:
    """The case list and the case view raise instead of showing the patient at 0,0."""
    with pytest.raises(MissingLocation, match="case 5"):
        cases_service.summary(Case(id=5, location=None, pathway="stemi", status="active"))


async def test_ambulances_are_not_ranked_to_0_0() -> None:
    """Ranking ambulances for a case without location raises before anything is read."""

    class NeverSnaps:
        def snap(self, lon: float, lat: float) -> None:
            raise AssertionError(f"snapped to {lon}, {lat}")

    engine: Any = NeverSnaps()
    with pytest.raises(MissingLocation, match="case 6"):
        await dispatching.rank_ambulances(cast(Any, None), engine, Case(id=6, location=None))


async def test_the_patient_is_not_placed_at_0_0() -> None:
    """With no open door and no transporting ambulance, a case without location raises."""
    case = Case(id=8, location=None, ambulance_id=None)
    with pytest.raises(MissingLocation, match="case 8"):
        await decision_inputs.where_is_the_patient(cast(Any, None), case, [])


def test_a_place_without_location_is_not_listed_at_0_0() -> None:
    """The gazetteer's answer raises for a place whose stored point is empty."""
    place = Place(id="v-0001", kind="village", name_zh="郭庄村", pinyin="guozhuangcun")
    place.township_zh, place.population, place.location = "水寨街道", 800, EMPTY
    with pytest.raises(MissingLocation, match="place v-0001"):
        place_out(place)
