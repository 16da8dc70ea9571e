"""Dispatch over HTTP: the best ambulance by road, and the milestones its status changes stamp."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from tests.conftest import Login
from tests.e2e.cases_helpers import (
    CASES,
    COUNTY_HOSPITAL,
    NANDUN_VILLAGE,
    case_body,
    count_events,
    milestones_of,
    open_case,
    read_case,
    set_status,
    signed_in,
    when,
)
from tests.e2e.units_helpers import ambulance_feature, assert_problem, fix

# Entering each status stamps these on the ambulance's case (leaving at_destination: handover).
WALK: list[tuple[str, list[str]]] = [
    ("en_route", ["unit_en_route"]),
    ("on_scene", ["unit_on_scene"]),
    ("transporting", ["unit_left_scene"]),
    ("at_destination", ["facility_arrival"]),
    ("returning", ["handover"]),
    ("available", ["unit_available"]),
]


async def dispatch(
    client: httpx.AsyncClient,
    headers: dict[str, str],
    case_id: int,
    ambulance_id: str | None = None,
) -> httpx.Response:
    body = {} if ambulance_id is None else {"ambulance_id": ambulance_id}
    return await client.post(f"{CASES}/{case_id}/dispatch", json=body, headers=headers)


async def test_dispatch_sends_the_nearest_available_ambulance_by_road(
    client: httpx.AsyncClient, login: Login
) -> None:
    """The chosen ambulance is the road-nearest; the others follow by minutes; it is dispatched."""
    headers = await signed_in(login, "dispatcher")
    case = await open_case(client, headers, case_body(*NANDUN_VILLAGE))
    nearest = await client.get(
        "/api/v1/ambulances/nearest",
        params={"lon": case["lon"], "lat": case["lat"], "k": 5},
        headers=headers,
    )
    assert 200 == nearest.status_code, nearest.text
    ranked = nearest.json()

    response = await dispatch(client, headers, case["id"])
    assert 200 == response.status_code, response.text
    body = response.json()
    chosen, alternatives = body["ambulance"], body["alternatives"]
    assert ranked[0]["ambulance_id"] == chosen["ambulance_id"]
    assert "as-nandun" == chosen["station_id"]  # the township's own station, not the county's
    assert ranked[0]["minutes"] == pytest.approx(chosen["minutes"], abs=0.01)
    assert [r["ambulance_id"] for r in ranked[1:]] == [a["ambulance_id"] for a in alternatives]
    minutes = [a["minutes"] for a in alternatives]
    assert sorted(minutes) == minutes
    assert all(chosen["minutes"] <= m for m in minutes)
    assert 4 == len(alternatives)

    notified = body["unit_notified"]
    assert ("unit_notified", "dispatch", "dispatcher") == (
        notified["milestone"],
        notified["source"],
        notified["recorded_by"],
    )
    feature = await ambulance_feature(client, headers, chosen["ambulance_id"])
    assert "dispatched" == feature["properties"]["status"]
    after = await read_case(client, headers, case["id"])
    assert chosen["ambulance_id"] == after["ambulance_id"]
    assert [notified["id"]] == [e["id"] for e in milestones_of(after, "unit_notified")]


async def test_dispatch_of_a_named_ambulance(client: httpx.AsyncClient, login: Login) -> None:
    """A named available ambulance is sent even if another is nearer, with its own road time."""
    headers = await signed_in(login, "dispatcher")
    case = await open_case(client, headers, case_body(*NANDUN_VILLAGE))
    every = await client.get(
        "/api/v1/ambulances/nearest",
        params={"lon": case["lon"], "lat": case["lat"], "k": 18},
        headers=headers,
    )
    response = await dispatch(client, headers, case["id"], "amb-01")
    assert 200 == response.status_code, response.text
    body = response.json()
    assert ("amb-01", "as-county") == (
        body["ambulance"]["ambulance_id"],
        body["ambulance"]["station_id"],
    )
    assert "amb-01" not in [a["ambulance_id"] for a in body["alternatives"]]
    assert body["alternatives"][0]["minutes"] < body["ambulance"]["minutes"]
    own = [r["minutes"] for r in every.json() if r["ambulance_id"] == "amb-01"]
    assert [pytest.approx(body["ambulance"]["minutes"], abs=0.01)] == own


async def test_dispatching_twice_or_a_busy_ambulance_is_409(
    client: httpx.AsyncClient, login: Login, db: AsyncSession
) -> None:
    """A case with a unit on it, or a named ambulance that is not available: 409, nothing new."""
    headers = await signed_in(login, "dispatcher")
    first = await open_case(client, headers)
    second = await open_case(client, headers)
    sent = await dispatch(client, headers, first["id"])
    assert 200 == sent.status_code, sent.text
    busy = sent.json()["ambulance"]["ambulance_id"]
    stamps = await count_events(db)

    again = await dispatch(client, headers, first["id"])
    assert "/problems/dispatch-conflict" == assert_problem(again, 409)["type"]
    taken = await dispatch(client, headers, second["id"], busy)
    found = assert_problem(taken, 409)
    assert "/problems/dispatch-conflict" == found["type"]
    assert "dispatched, not available" in found["detail"]
    assert stamps == await count_events(db)
    assert (await read_case(client, headers, second["id"]))["ambulance_id"] is None


async def test_a_closed_case_is_not_dispatched(
    client: httpx.AsyncClient, login: Login, db: AsyncSession
) -> None:
    """A closed case: dispatch is a 409 and no ambulance is sent."""
    headers = await signed_in(login, "dispatcher")
    case = await open_case(client, headers)
    closed = await client.patch(f"{CASES}/{case['id']}", json={"status": "closed"}, headers=headers)
    assert ("closed", True) == (closed.json()["status"], closed.json()["closed_at"] is not None)
    stamps = await count_events(db, case["id"])
    response = await dispatch(client, headers, case["id"])
    assert "closed" in assert_problem(response, 409)["detail"]
    assert stamps == await count_events(db, case["id"])


async def test_dispatch_of_an_unknown_case_or_ambulance_is_404(
    client: httpx.AsyncClient, login: Login
) -> None:
    """An unknown case or ambulance: 404 problems."""
    headers = await signed_in(login, "dispatcher")
    assert_problem(await dispatch(client, headers, 987654321), 404)
    case = await open_case(client, headers)
    assert_problem(await dispatch(client, headers, case["id"], "amb-99"), 404)


@pytest.mark.parametrize("username", ["crew-amb-01", "township-th-nandun", "auditor"])
async def test_only_dispatchers_dispatch(
    client: httpx.AsyncClient, login: Login, db: AsyncSession, username: str
) -> None:
    """Crew, township units and auditors cannot dispatch: 403 and no ambulance moves."""
    case = await open_case(client, await signed_in(login, "dispatcher"))
    stamps = await count_events(db, case["id"])
    response = await dispatch(client, await signed_in(login, username), case["id"])
    assert "/problems/forbidden" == assert_problem(response, 403)["type"]
    assert stamps == await count_events(db, case["id"])


async def route_to_hospital(
    client: httpx.AsyncClient, headers: dict[str, str], start: tuple[float, float]
) -> list[list[float]]:
    response = await client.get(
        "/api/v1/travel-time",
        params={
            "from": f"{start[0]},{start[1]}",
            "to": f"{COUNTY_HOSPITAL[0]},{COUNTY_HOSPITAL[1]}",
        },
        headers=headers,
    )
    assert 200 == response.status_code, response.text
    coordinates: list[list[float]] = response.json()["geometry"]["coordinates"]
    assert len(coordinates) >= 4
    return coordinates


async def test_a_whole_call_stamps_each_milestone_and_the_eta_falls(
    client: httpx.AsyncClient, login: Login, db: AsyncSession
) -> None:
    """Each status change of the assigned unit stamps its milestone; fixes update the case's ETA."""
    dispatcher = await signed_in(login, "dispatcher")
    case = await open_case(client, dispatcher, case_body(*NANDUN_VILLAGE))
    sent = await dispatch(client, dispatcher, case["id"])
    assert 200 == sent.status_code, sent.text
    ambulance_id = sent.json()["ambulance"]["ambulance_id"]
    crew = await signed_in(login, f"crew-{ambulance_id}")

    # an illegal change is refused without a stamp
    stamps = await count_events(db, case["id"])
    illegal = await set_status(client, crew, ambulance_id, "transporting")
    found = assert_problem(illegal, 409)
    assert ["en_route", "available", "out_of_service"] == found["allowed"]
    assert stamps == await count_events(db, case["id"])

    etas: list[float] = []
    expected: dict[str, tuple[datetime, str | None]] = {}
    for status, milestones in WALK:
        if status == "on_scene":  # en route: the ETA is to the scene, from the station
            station = (await ambulance_feature(client, dispatcher, ambulance_id))["geometry"]
            lon, lat = station["coordinates"]
            moved = await client.post(
                f"/api/v1/ambulances/{ambulance_id}/positions",
                json=fix(lon, lat, datetime.now(UTC) - timedelta(seconds=40)),
                headers=crew,
            )
            assert 200 == moved.status_code, moved.text
            to_scene = (await read_case(client, dispatcher, case["id"]))["eta_minutes"]
            assert sent.json()["ambulance"]["minutes"] == pytest.approx(to_scene, rel=0.02)
        if status == "at_destination":
            patch = await client.patch(
                f"{CASES}/{case['id']}",
                json={"destination_facility_id": "county-hospital"},
                headers=dispatcher,
            )
            assert 200 == patch.status_code, patch.text
            route = await route_to_hospital(client, dispatcher, NANDUN_VILLAGE)
            for step, fraction in enumerate((0.2, 0.5, 0.8)):
                lon, lat = route[int(fraction * (len(route) - 1))]
                recorded = datetime.now(UTC) - timedelta(seconds=30 - step)
                moved = await client.post(
                    f"/api/v1/ambulances/{ambulance_id}/positions",
                    json=fix(lon, lat, recorded),
                    headers=crew,
                )
                assert 200 == moved.status_code, moved.text
                etas.append((await read_case(client, dispatcher, case["id"]))["eta_minutes"])
        at = datetime.now(UTC)
        response = await set_status(client, crew, ambulance_id, status, at)
        assert 200 == response.status_code, (status, response.text)
        for milestone in milestones:
            facility = "county-hospital" if milestone == "facility_arrival" else None
            expected[milestone] = (at, facility)

    assert all(eta is not None for eta in etas), etas
    assert sorted(set(etas), reverse=True) == etas, etas  # strictly falling
    after = await read_case(client, dispatcher, case["id"])
    for milestone, (at, facility) in expected.items():
        entries = milestones_of(after, milestone)
        assert 1 == len(entries), (milestone, after["timeline"])
        entry = entries[0]
        assert (at, facility, "ambulance_status", f"crew-{ambulance_id}") == (
            when(entry["at"]),
            entry["facility_id"],
            entry["source"],
            entry["recorded_by"],
        ), milestone
    assert [{"facility_id": "county-hospital", "door_out": None}] == [
        {"facility_id": g["facility_id"], "door_out": g["door_out"]} for g in after["legs"]
    ]
    feature = await ambulance_feature(client, dispatcher, ambulance_id)
    assert "available" == feature["properties"]["status"]


async def test_a_released_ambulance_stamps_nothing_more_and_the_case_can_be_dispatched_again(
    client: httpx.AsyncClient, login: Login, db: AsyncSession
) -> None:
    """After unit_available the unit is off the case: its next call stamps nothing here."""
    dispatcher = await signed_in(login, "dispatcher")
    case = await open_case(client, dispatcher)
    assert 200 == (await dispatch(client, dispatcher, case["id"], "amb-02")).status_code
    for status in ("en_route", "available"):
        assert 200 == (await set_status(client, dispatcher, "amb-02", status)).status_code
    stamps = await count_events(db, case["id"])

    other = await open_case(client, dispatcher)
    assert 200 == (await dispatch(client, dispatcher, other["id"], "amb-02")).status_code
    assert 200 == (await set_status(client, dispatcher, "amb-02", "en_route")).status_code
    assert stamps == await count_events(db, case["id"])
    assert ["unit_notified", "unit_en_route"] == [
        e["milestone"]
        for e in (await read_case(client, dispatcher, other["id"]))["timeline"]
        if e["milestone"].startswith("unit_")
    ]
    again = await dispatch(client, dispatcher, case["id"])
    assert 200 == again.status_code, again.text
