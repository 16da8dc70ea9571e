"""Ambulance status over HTTP: the state machine, 409 with the allowed moves, and who may set it."""

from __future__ import annotations

import itertools
from datetime import datetime
from typing import Any

import httpx
import pytest

from tests.conftest import Login
from tests.e2e.units_helpers import ambulance_feature, assert_problem, minutes_ago
from units.vocabulary import allowed_transitions

WHOLE_CALL = [
    "available",
    "dispatched",
    "en_route",
    "on_scene",
    "transporting",
    "at_destination",
    "returning",
    "available",
]


def status_path(ambulance_id: str) -> str:
    return f"/api/v1/ambulances/{ambulance_id}/status"


def change(status: str, minutes_before_now: float = 1) -> dict[str, Any]:
    return {"status": status, "at": minutes_ago(minutes_before_now).isoformat()}


async def test_a_whole_call_walks_the_state_machine(
    client: httpx.AsyncClient, login: Login
) -> None:
    """available → dispatched → … → returning → available: each step is accepted and stamped."""
    headers = await login("dispatcher")
    assert all(b in allowed_transitions(a) for a, b in itertools.pairwise(WHOLE_CALL))
    for step, status in enumerate(WHOLE_CALL[1:]):
        body = change(status, minutes_before_now=30 - step)
        response = await client.post(status_path("amb-06"), json=body, headers=headers)
        assert 200 == response.status_code, (status, response.text)
        properties = response.json()["properties"]
        assert status == properties["status"]
        assert datetime.fromisoformat(body["at"]) == datetime.fromisoformat(properties["status_at"])
    feature = await ambulance_feature(client, headers, "amb-06")
    assert "available" == feature["properties"]["status"]


async def test_an_illegal_change_is_409_with_the_allowed_statuses(
    client: httpx.AsyncClient, login: Login
) -> None:
    """available → transporting is a 409 problem listing the allowed moves; the status stays."""
    headers = await login("dispatcher")
    before = await ambulance_feature(client, headers, "amb-07")
    response = await client.post(
        status_path("amb-07"), json=change("transporting"), headers=headers
    )
    body = assert_problem(response, 409)
    assert "/problems/illegal-status-change" == body["type"]
    assert ["dispatched", "out_of_service"] == body["allowed"]
    assert ("available", "transporting") == (body["current"], body["requested"])
    assert "transporting" in body["detail"]
    assert before == await ambulance_feature(client, headers, "amb-07")


async def test_out_of_service_comes_back_only_to_available(
    client: httpx.AsyncClient, login: Login
) -> None:
    """An ambulance out of service cannot be dispatched (409) but can become available."""
    headers = await login("admin")
    broken = await client.post(
        status_path("amb-08"), json=change("out_of_service", 5), headers=headers
    )
    assert 200 == broken.status_code, broken.text
    refused = await client.post(status_path("amb-08"), json=change("dispatched"), headers=headers)
    assert ["available"] == assert_problem(refused, 409)["allowed"]
    back = await client.post(status_path("amb-08"), json=change("available"), headers=headers)
    assert (200, "available") == (back.status_code, back.json()["properties"]["status"])


@pytest.mark.parametrize(
    ("body", "words"),
    [
        ({"status": "parked", "at": "2024-05-01T08:00:00+08:00"}, "status"),
        ({"status": "dispatched"}, "at"),
        ({"status": "dispatched", "at": "2024-05-01T08:00:00"}, "timezone"),
        ({"status": "dispatched", "at": "soon"}, "at"),
        ({"status": "dispatched", "at": minutes_ago(-60).isoformat()}, "ahead of the server clock"),
        ({"status": "dispatched", "at": "2024-05-01T08:00:00Z", "why": "x"}, "why"),
    ],
)
async def test_bad_status_body_is_422_and_changes_nothing(
    client: httpx.AsyncClient, login: Login, body: dict[str, Any], words: str
) -> None:
    """An unknown status, a missing, naive, malformed or future time, or an extra field: 422."""
    headers = await login("dispatcher")
    before = await ambulance_feature(client, headers, "amb-09")
    response = await client.post(status_path("amb-09"), json=body, headers=headers)
    assert words in assert_problem(response, 422)["detail"]
    assert before == await ambulance_feature(client, headers, "amb-09")


@pytest.mark.parametrize("ambulance_id", ["amb-01", "amb-18"])
async def test_a_dispatcher_sets_any_ambulances_status(
    client: httpx.AsyncClient, login: Login, ambulance_id: str
) -> None:
    """The dispatcher may dispatch any ambulance."""
    response = await client.post(
        status_path(ambulance_id), json=change("dispatched"), headers=await login("dispatcher")
    )
    assert (200, "dispatched") == (response.status_code, response.json()["properties"]["status"])


async def test_crew_sets_its_own_status_only(client: httpx.AsyncClient, login: Login) -> None:
    """crew-amb-10 may set amb-10's status; for amb-11 it gets a 403 and amb-11 is unchanged."""
    headers = await login("crew-amb-10")
    own = await client.post(status_path("amb-10"), json=change("out_of_service"), headers=headers)
    assert (200, "out_of_service") == (own.status_code, own.json()["properties"]["status"])
    other = await client.post(status_path("amb-11"), json=change("out_of_service"), headers=headers)
    assert "amb-11" in assert_problem(other, 403)["detail"]
    feature = await ambulance_feature(client, headers, "amb-11")
    assert "available" == feature["properties"]["status"]


@pytest.mark.parametrize("username", ["auditor", "township-th-nandun", "cathlab-city-hospital"])
async def test_other_roles_cannot_set_status(
    client: httpx.AsyncClient, login: Login, username: str
) -> None:
    """Auditor, township and cath-lab users get a 403 and the ambulance keeps its status."""
    headers = await login(username)
    response = await client.post(status_path("amb-12"), json=change("dispatched"), headers=headers)
    assert_problem(response, 403)
    assert (
        "available" == (await ambulance_feature(client, headers, "amb-12"))["properties"]["status"]
    )


async def test_status_of_an_unknown_ambulance_is_404(
    client: httpx.AsyncClient, login: Login
) -> None:
    """Setting the status of an id that names no ambulance is a 404 problem."""
    response = await client.post(
        status_path("amb-99"), json=change("dispatched"), headers=await login("dispatcher")
    )
    assert "amb-99" in assert_problem(response, 404)["detail"]
