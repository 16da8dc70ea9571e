"""Facilities over HTTP: the GeoJSON list and its filters, one facility, and who may PATCH what."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from dispatch.demo.county import DemoCounty
from tests.conftest import Login
from tests.e2e.units_helpers import assert_problem

FACILITIES = "/api/v1/facilities"


async def get_facility(
    client: httpx.AsyncClient, headers: dict[str, str], facility_id: str
) -> dict[str, Any]:
    """The facility feature, which must exist."""
    response = await client.get(f"{FACILITIES}/{facility_id}", headers=headers)
    assert 200 == response.status_code, response.text
    feature: dict[str, Any] = response.json()
    return feature


async def test_facilities_are_a_feature_collection_with_the_contract_properties(
    client: httpx.AsyncClient, login: Login, demo_county: DemoCounty
) -> None:
    """GET /facilities: every facility as a Feature with id, name, kind, capabilities, status."""
    response = await client.get(FACILITIES, headers=await login("auditor"))
    body = response.json()
    assert 200 == response.status_code
    assert "FeatureCollection" == body["type"]
    assert sorted(f.id for f in demo_county.facilities) == sorted(f["id"] for f in body["features"])
    for feature in body["features"]:
        assert "Feature" == feature["type"]
        assert "Point" == feature["geometry"]["type"]
        assert {"id", "name", "kind", "capabilities", "status"} <= set(feature["properties"])
    county = next(f for f in body["features"] if f["id"] == "county-hospital")
    assert ("county-hospital", "county_hospital", "ready") == (
        county["properties"]["id"],
        county["properties"]["kind"],
        county["properties"]["status"],
    )
    assert "pci" in county["properties"]["capabilities"]


async def test_kind_filter_returns_only_that_kind(
    client: httpx.AsyncClient, login: Login, demo_county: DemoCounty
) -> None:
    """?kind=township_unit returns exactly the township units."""
    response = await client.get(
        FACILITIES, params={"kind": "township_unit"}, headers=await login("dispatcher")
    )
    expected = sorted(f.id for f in demo_county.facilities if f.kind == "township_unit")
    assert 200 == response.status_code
    assert expected == sorted(f["id"] for f in response.json()["features"])
    assert {"township_unit"} == {f["properties"]["kind"] for f in response.json()["features"]}


async def test_capability_filter_pci_gives_the_two_hospitals(
    client: httpx.AsyncClient, login: Login
) -> None:
    """?capability=pci returns exactly the county and the city hospital."""
    response = await client.get(
        FACILITIES, params={"capability": "pci"}, headers=await login("dispatcher")
    )
    assert 200 == response.status_code
    assert ["city-hospital", "county-hospital"] == sorted(
        f["id"] for f in response.json()["features"]
    )


async def test_kind_and_capability_filters_combine(client: httpx.AsyncClient, login: Login) -> None:
    """?kind=township_unit&capability=thrombolysis gives the township units that thrombolyse."""
    response = await client.get(
        FACILITIES,
        params={"kind": "township_unit", "capability": "thrombolysis"},
        headers=await login("dispatcher"),
    )
    assert ["th-dingji", "th-nandun", "th-zhangzhuang", "th-zhengguo"] == sorted(
        f["id"] for f in response.json()["features"]
    )


@pytest.mark.parametrize(("name", "value"), [("kind", "hospital"), ("capability", "surgery")])
async def test_unknown_filter_value_is_422(
    client: httpx.AsyncClient, login: Login, name: str, value: str
) -> None:
    """A kind or capability outside the vocabulary is a 422 problem naming the parameter."""
    response = await client.get(FACILITIES, params={name: value}, headers=await login("admin"))
    body = assert_problem(response, 422)
    assert name in body["detail"]


async def test_get_one_facility(client: httpx.AsyncClient, login: Login) -> None:
    """GET /facilities/{id} is that facility as a Feature with its capabilities."""
    feature = await get_facility(client, await login("crew-amb-01"), "th-nandun")
    assert "Feature" == feature["type"]
    assert "th-nandun" == feature["id"]
    assert ("township_unit", ["ecg12", "ecg_transmit", "thrombolysis"]) == (
        feature["properties"]["kind"],
        feature["properties"]["capabilities"],
    )
    lon, lat = feature["geometry"]["coordinates"]
    assert pytest.approx((114.76, 33.56), abs=0.01) == (lon, lat)


async def test_unknown_facility_is_404_problem(client: httpx.AsyncClient, login: Login) -> None:
    """An id that names no facility is a 404 problem naming the id."""
    response = await client.get(f"{FACILITIES}/th-atlantis", headers=await login("admin"))
    body = assert_problem(response, 404)
    assert "/problems/not-found" == body["type"]
    assert "th-atlantis" in body["detail"]


@pytest.mark.parametrize("facility_id", ["Bad_ID", "x", "-leading-dash", "a" * 80])
async def test_malformed_facility_id_is_422(
    client: httpx.AsyncClient, login: Login, facility_id: str
) -> None:
    """An id that cannot be a facility id (case, length, characters) is a 422 problem."""
    response = await client.get(f"{FACILITIES}/{facility_id}", headers=await login("admin"))
    body = assert_problem(response, 422)
    assert "facility_id" in body["detail"]


async def test_township_user_changes_its_own_status(
    client: httpx.AsyncClient, login: Login
) -> None:
    """A township user sets its own facility busy; the PATCH answer and a later GET show it."""
    headers = await login("township-th-nandun")
    response = await client.patch(
        f"{FACILITIES}/th-nandun", json={"status": "busy"}, headers=headers
    )
    assert 200 == response.status_code, response.text
    assert "busy" == response.json()["properties"]["status"]
    after = await get_facility(client, await login("dispatcher"), "th-nandun")
    assert "busy" == after["properties"]["status"]


async def test_township_user_changes_its_own_phone_and_address(
    client: httpx.AsyncClient, login: Login
) -> None:
    """A township user may change its facility's phone and address."""
    headers = await login("township-th-nandun")
    change = {"phone": "0394-000-0000", "address": "南顿镇新街1号"}
    response = await client.patch(f"{FACILITIES}/th-nandun", json=change, headers=headers)
    assert 200 == response.status_code, response.text
    after = await get_facility(client, headers, "th-nandun")
    assert change == {k: after["properties"][k] for k in change}


async def test_township_user_cannot_patch_another_facility(
    client: httpx.AsyncClient, login: Login
) -> None:
    """A township user changing another facility gets a 403 and the facility is unchanged."""
    headers = await login("township-th-nandun")
    before = await get_facility(client, headers, "th-dingji")
    response = await client.patch(
        f"{FACILITIES}/th-dingji", json={"status": "busy"}, headers=headers
    )
    body = assert_problem(response, 403)
    assert "/problems/forbidden" == body["type"]
    assert before == await get_facility(client, headers, "th-dingji")


async def test_cathlab_user_changes_its_own_status(client: httpx.AsyncClient, login: Login) -> None:
    """The county hospital's cath-lab user sets its status offline and then ready again."""
    headers = await login("cathlab-county-hospital")
    path = f"{FACILITIES}/county-hospital"
    offline = await client.patch(path, json={"status": "offline"}, headers=headers)
    assert (200, "offline") == (offline.status_code, offline.json()["properties"]["status"])
    ready = await client.patch(path, json={"status": "ready"}, headers=headers)
    assert (200, "ready") == (ready.status_code, ready.json()["properties"]["status"])


async def test_cathlab_user_cannot_patch_the_other_hospital(
    client: httpx.AsyncClient, login: Login
) -> None:
    """The county cath-lab user may not change the city hospital's status."""
    headers = await login("cathlab-county-hospital")
    response = await client.patch(
        f"{FACILITIES}/city-hospital", json={"status": "offline"}, headers=headers
    )
    assert_problem(response, 403)
    assert "ready" == (await get_facility(client, headers, "city-hospital"))["properties"]["status"]


@pytest.mark.parametrize("username", ["dispatcher", "auditor", "crew-amb-01"])
async def test_roles_without_a_facility_cannot_patch(
    client: httpx.AsyncClient, login: Login, username: str
) -> None:
    """Dispatcher, auditor and crew get a 403 on PATCH and the facility keeps its status."""
    headers = await login(username)
    response = await client.patch(
        f"{FACILITIES}/county-hospital", json={"status": "busy"}, headers=headers
    )
    body = assert_problem(response, 403)
    assert "county-hospital" in body["detail"]
    after = await get_facility(client, headers, "county-hospital")
    assert "ready" == after["properties"]["status"]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"name_zh": "改名卫生院"}, "name_zh"),
        ({"name_en": "Renamed"}, "name_en"),
        ({"capabilities": ["ecg12", "pci"]}, "capabilities"),
        ({"status": "busy", "capabilities": []}, "capabilities"),
    ],
)
async def test_township_user_cannot_change_admin_only_fields(
    client: httpx.AsyncClient, login: Login, change: dict[str, Any], field: str
) -> None:
    """Names and capabilities are the admin's: a township user gets 403 and nothing changes."""
    headers = await login("township-th-nandun")
    before = await get_facility(client, headers, "th-nandun")
    response = await client.patch(f"{FACILITIES}/th-nandun", json=change, headers=headers)
    body = assert_problem(response, 403)
    assert field in body["detail"]
    assert before == await get_facility(client, headers, "th-nandun")


async def test_admin_changes_capabilities_and_the_filter_follows(
    client: httpx.AsyncClient, login: Login
) -> None:
    """An admin gives a township unit pci; it then appears in ?capability=pci."""
    headers = await login("admin")
    capabilities = ["ecg12", "ecg_transmit", "thrombolysis", "pci"]
    response = await client.patch(
        f"{FACILITIES}/th-nandun", json={"capabilities": capabilities}, headers=headers
    )
    assert 200 == response.status_code, response.text
    assert capabilities == response.json()["properties"]["capabilities"]
    pci = await client.get(FACILITIES, params={"capability": "pci"}, headers=headers)
    assert ["city-hospital", "county-hospital", "th-nandun"] == sorted(
        f["id"] for f in pci.json()["features"]
    )


async def test_admin_patch_of_an_unknown_facility_is_404(
    client: httpx.AsyncClient, login: Login
) -> None:
    """An admin patching an id that names nothing gets a 404 problem."""
    response = await client.patch(
        f"{FACILITIES}/th-atlantis", json={"status": "busy"}, headers=await login("admin")
    )
    assert "th-atlantis" in assert_problem(response, 404)["detail"]


@pytest.mark.parametrize(
    ("change", "words"),
    [
        ({"status": None}, "status may be left out but not set to null"),
        ({"capabilities": None}, "capabilities may be left out but not set to null"),
        ({"colour": "red"}, "colour"),
        ({}, "nothing to change"),
        ({"status": "closed"}, "status"),
        ({"capabilities": ["teleportation"]}, "capabilities"),
    ],
)
async def test_invalid_patch_is_422_and_changes_nothing(
    client: httpx.AsyncClient, login: Login, change: dict[str, Any], words: str
) -> None:
    """Null, unknown fields, an empty body or words outside the vocabulary: 422, nothing changed."""
    headers = await login("admin")
    before = await get_facility(client, headers, "th-nandun")
    response = await client.patch(f"{FACILITIES}/th-nandun", json=change, headers=headers)
    body = assert_problem(response, 422)
    assert words in body["detail"]
    assert before == await get_facility(client, headers, "th-nandun")
