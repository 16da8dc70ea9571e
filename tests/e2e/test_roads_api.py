"""Roads, travel times, nearest ambulances and coverage over HTTP, on the demo county's roads."""

from __future__ import annotations

from datetime import UTC, datetime

import httpx
import pytest
from fastapi import FastAPI
from shapely.geometry import Point, shape

from geo.crs import wgs84_to_gcj02
from geo.engine import TravelTimeEngine
from geo.network import DEFAULT_SPEEDS_KMH, RoadNetwork, Segment
from geo.road_arrays import RoadArrays
from geo.runtime import RoadRuntime
from tests.conftest import Login

COUNTY_HOSPITAL = (114.8806, 33.4412)
CITY_HOSPITAL = (114.52, 33.77)
NANDUN = (114.76, 33.56)


def at(point: tuple[float, float]) -> str:
    return f"{point[0]},{point[1]}"


async def test_travel_time_county_to_city_hospital(
    client: httpx.AsyncClient, login: Login, demo_roads: RoadRuntime
) -> None:
    """County → city hospital is a plausible road trip (expressway), with its route geometry."""
    response = await client.get(
        "/api/v1/travel-time",
        params={"from": at(COUNTY_HOSPITAL), "to": at(CITY_HOSPITAL)},
        headers=await login("dispatcher"),
    )
    body = response.json()
    assert 200 == response.status_code
    assert (True, "LineString") == (body["reachable"], body["geometry"]["type"])
    assert 30 < body["minutes"] < 45
    assert 45_000 < body["meters"] < 70_000
    first, last = body["geometry"]["coordinates"][0], body["geometry"]["coordinates"][-1]
    assert COUNTY_HOSPITAL == (pytest.approx(first[0], abs=1e-3), pytest.approx(first[1], abs=1e-3))
    assert CITY_HOSPITAL == (pytest.approx(last[0], abs=1e-3), pytest.approx(last[1], abs=1e-3))
    engine = demo_roads.require()
    route = engine.route(engine.snap(*COUNTY_HOSPITAL), engine.snap(*CITY_HOSPITAL))
    assert route is not None
    assert round(route.minutes, 3) == body["minutes"]


async def test_travel_time_accepts_gcj02(client: httpx.AsyncClient, login: Login) -> None:
    """A GCJ-02 pair gives the same trip as the WGS84 pair it stands for."""
    headers = await login("dispatcher")
    wgs = await client.get(
        "/api/v1/travel-time",
        params={"from": at(NANDUN), "to": at(COUNTY_HOSPITAL)},
        headers=headers,
    )
    gcj = await client.get(
        "/api/v1/travel-time",
        params={
            "from": at(wgs84_to_gcj02(*NANDUN)),
            "to": at(wgs84_to_gcj02(*COUNTY_HOSPITAL)),
            "crs": "gcj02",
        },
        headers=headers,
    )
    assert pytest.approx(wgs.json()["minutes"], abs=0.01) == gcj.json()["minutes"]


@pytest.mark.parametrize(
    ("params", "slug"),
    [
        ({"from": "104.07,30.67", "to": at(COUNTY_HOSPITAL)}, "outside-mapped-area"),
        ({"from": "114.88", "to": at(COUNTY_HOSPITAL)}, "invalid-coordinate"),
        ({"from": "abc,def", "to": at(COUNTY_HOSPITAL)}, "invalid-coordinate"),
        ({"from": "33.44,114.88", "to": at(COUNTY_HOSPITAL)}, "invalid-coordinate"),
        ({"from": at(COUNTY_HOSPITAL)}, "invalid-input"),
        ({"from": at(NANDUN), "to": at(COUNTY_HOSPITAL), "crs": "utm"}, "invalid-input"),
    ],
)
async def test_travel_time_bad_points_are_4xx(
    client: httpx.AsyncClient, login: Login, params: dict[str, str], slug: str
) -> None:
    """Points off the map (Chengdu), malformed, swapped or missing, or an unknown crs: 422."""
    response = await client.get(
        "/api/v1/travel-time", params=params, headers=await login("dispatcher")
    )
    assert (422, f"/problems/{slug}") == (response.status_code, response.json()["type"])


async def test_unreachable_is_an_answer_not_an_error(
    app: FastAPI, client: httpx.AsyncClient, login: Login
) -> None:
    """Two roads that never meet: 200 with reachable false and a reason."""
    a, b, c, d = (114.80, 33.40), (114.82, 33.40), (114.80, 33.45), (114.82, 33.45)
    network = RoadNetwork(nodes=[a, b, c, d])
    network.segments += [Segment(0, 1, (a, b), "county"), Segment(2, 3, (c, d), "county")]
    runtime = RoadRuntime(10.0, 2000.0, 800.0)
    runtime.engine = TravelTimeEngine(RoadArrays.from_network(network, DEFAULT_SPEEDS_KMH))
    app.state.roads = runtime
    response = await client.get(
        "/api/v1/travel-time",
        params={"from": "114.81,33.40", "to": "114.81,33.45"},
        headers=await login("dispatcher"),
    )
    body = response.json()
    assert (200, False, None) == (response.status_code, body["reachable"], body["minutes"])
    assert "no road connects" in body["detail"]


async def test_no_network_loaded_is_503(
    app: FastAPI, client: httpx.AsyncClient, login: Login
) -> None:
    """Before any road import, travel times answer 503 saying how to load roads."""
    app.state.roads = RoadRuntime(10.0, 2000.0, 800.0)
    response = await client.get(
        "/api/v1/travel-time",
        params={"from": at(NANDUN), "to": at(COUNTY_HOSPITAL)},
        headers=await login("dispatcher"),
    )
    assert (503, "/problems/no-road-network") == (response.status_code, response.json()["type"])
    assert "import roads" in response.json()["detail"]


async def test_nearest_ambulances_by_road_time(
    client: httpx.AsyncClient, login: Login, demo_roads: RoadRuntime
) -> None:
    """At Nandun the Nandun station's two units come first; times ascend; each equals its route."""
    headers = await login("dispatcher")
    response = await client.get(
        "/api/v1/ambulances/nearest",
        params={"lon": NANDUN[0], "lat": NANDUN[1], "k": 5},
        headers=headers,
    )
    ranked = response.json()
    assert 200 == response.status_code
    assert 5 == len(ranked)
    assert {"as-nandun"} == {r["station_id"] for r in ranked[:2]}
    assert [r["minutes"] for r in ranked] == sorted(r["minutes"] for r in ranked)
    engine = demo_roads.require()
    fleet = (await client.get("/api/v1/ambulances", headers=headers)).json()["features"]
    where = {f["id"]: f["geometry"]["coordinates"] for f in fleet}
    for entry in ranked:
        route = engine.route(engine.snap(*where[entry["ambulance_id"]]), engine.snap(*NANDUN))
        assert route is not None
        assert pytest.approx(route.minutes, abs=1e-3) == entry["minutes"]


async def test_nearest_skips_ambulances_that_are_not_available(
    client: httpx.AsyncClient, login: Login
) -> None:
    """A dispatched unit is no longer offered."""
    headers = await login("dispatcher")
    params = {"lon": NANDUN[0], "lat": NANDUN[1], "k": 3}
    before = (await client.get("/api/v1/ambulances/nearest", params=params, headers=headers)).json()
    first = before[0]["ambulance_id"]
    changed = await client.post(
        f"/api/v1/ambulances/{first}/status",
        json={"status": "dispatched", "at": datetime.now(UTC).isoformat()},
        headers=headers,
    )
    assert 200 == changed.status_code
    after = (await client.get("/api/v1/ambulances/nearest", params=params, headers=headers)).json()
    assert first not in [r["ambulance_id"] for r in after]


@pytest.mark.parametrize("params", [{"lon": 114.8, "lat": 33.5, "k": 0}, {"lon": "x", "lat": 33.5}])
async def test_nearest_bad_input_is_422(
    client: httpx.AsyncClient, login: Login, params: dict[str, object]
) -> None:
    """k below 1 or a non-numeric coordinate is a 422 problem."""
    response = await client.get(
        "/api/v1/ambulances/nearest", params=params, headers=await login("dispatcher")
    )
    assert 422 == response.status_code


async def test_coverage_areas_are_nested_and_contain_the_centre(
    client: httpx.AsyncClient, login: Login
) -> None:
    """PCI drive-time areas at 30/60/120 min grow with the minutes and hold both PCI centres."""
    response = await client.get(
        "/api/v1/coverage",
        params={"capability": "pci", "minutes": "30,60,120"},
        headers=await login("auditor"),
    )
    features = response.json()["features"]
    assert 200 == response.status_code
    assert [30.0, 60.0, 120.0] == [f["properties"]["minutes"] for f in features]
    areas = [shape(f["geometry"]) for f in features]
    assert areas[0].area < areas[1].area <= areas[2].area
    for area in areas:
        assert area.contains(Point(COUNTY_HOSPITAL))
    assert ["city-hospital", "county-hospital"] == features[0]["properties"]["facility_ids"]


@pytest.mark.parametrize(
    ("params", "status"),
    [
        ({"capability": "teleport"}, 422),
        ({"capability": "pci", "minutes": "abc"}, 422),
        ({"capability": "pci", "minutes": "0"}, 422),
        ({"capability": "pci", "facility_id": "no-such-place"}, 404),
        ({"capability": "pci", "facility_id": "th-nandun"}, 422),
    ],
)
async def test_coverage_bad_input(
    client: httpx.AsyncClient, login: Login, params: dict[str, str], status: int
) -> None:
    """Unknown capability, bad minutes, unknown facility or one without the capability: 4xx."""
    response = await client.get("/api/v1/coverage", params=params, headers=await login("auditor"))
    assert status == response.status_code


async def test_roads_are_geojson_lines_with_minutes(
    client: httpx.AsyncClient, login: Login, demo_roads: RoadRuntime
) -> None:
    """/roads gives every segment with its minutes; a bbox gives only the ones that meet it."""
    headers = await login("crew-amb-01")
    everything = (await client.get("/api/v1/roads", headers=headers)).json()["features"]
    assert demo_roads.require().segment_count == len(everything)
    assert all(f["properties"]["minutes"] > 0 for f in everything)
    assert {"LineString"} == {f["geometry"]["type"] for f in everything}
    town = (
        await client.get(
            "/api/v1/roads", params={"bbox": "114.87,33.43,114.89,33.45"}, headers=headers
        )
    ).json()["features"]
    assert 0 < len(town) < len(everything)
    bad = await client.get("/api/v1/roads", params={"bbox": "1,2,3"}, headers=headers)
    assert 422 == bad.status_code
