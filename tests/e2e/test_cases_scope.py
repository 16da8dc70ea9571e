"""Who sees and changes a case: crews their ambulance's, units their facility's, auditors all."""

from __future__ import annotations

from dataclasses import dataclass

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from tests.conftest import Login
from tests.e2e.cases_helpers import (
    CASES,
    NANDUN_VILLAGE,
    case_body,
    count_cases,
    count_events,
    minutes_ago,
    open_case,
    post_event,
    signed_in,
    stamp,
    transfer,
)
from tests.e2e.units_helpers import assert_problem


@dataclass(frozen=True)
class World:
    """Cases of one test: which ambulance or facility each concerns."""

    on_amb_05: int  # dispatched to amb-05
    on_amb_01: int  # dispatched to amb-01
    no_unit: int  # neither ambulance nor facility
    by_nandun: int  # opened by the Nandun township unit
    visited_nandun: int  # opened by the dispatcher, the patient walked into Nandun
    visited_dingji: int  # the patient walked into Dingji
    bound_for_county: int  # destination: the county hospital

    def all(self) -> set[int]:
        return set(vars(self).values())


async def build_world(client: httpx.AsyncClient, login: Login) -> World:
    dispatcher = await signed_in(login, "dispatcher")
    ids: dict[str, int] = {}
    for name in (
        "on_amb_05", "on_amb_01", "no_unit", "visited_nandun", "visited_dingji", "bound_for_county"
    ):  # fmt: skip
        ids[name] = (await open_case(client, dispatcher, case_body(*NANDUN_VILLAGE)))["id"]
    for name, ambulance in (("on_amb_05", "amb-05"), ("on_amb_01", "amb-01")):
        sent = await client.post(
            f"{CASES}/{ids[name]}/dispatch", json={"ambulance_id": ambulance}, headers=dispatcher
        )
        assert 200 == sent.status_code, sent.text
    for name, facility in (("visited_nandun", "th-nandun"), ("visited_dingji", "th-dingji")):
        # dispatch sends the patient there (the facility joins the case), its team stamps the door
        await transfer(client, dispatcher, ids[name], facility)
        await stamp(
            client, await signed_in(login, f"township-{facility}"), ids[name], "facility_arrival",
            minutes_ago(20), facility_id=facility,
        )  # fmt: skip
    patched = await client.patch(
        f"{CASES}/{ids['bound_for_county']}",
        json={"destination_facility_id": "county-hospital"},
        headers=dispatcher,
    )
    assert 200 == patched.status_code, patched.text
    township = await signed_in(login, "township-th-nandun")
    ids["by_nandun"] = (await open_case(client, township))["id"]
    return World(**ids)


async def visible(client: httpx.AsyncClient, headers: dict[str, str], world: World) -> set[int]:
    """The test's cases GET /cases lists for the user."""
    response = await client.get(CASES, headers=headers, params={"limit": 1000})
    assert 200 == response.status_code, response.text
    return {c["id"] for c in response.json()} & world.all()


async def test_each_role_lists_only_the_cases_it_is_part_of(
    client: httpx.AsyncClient, login: Login
) -> None:
    """Crew: its ambulance's; township/cath lab: its facility's; dispatcher and auditor: all."""
    world = await build_world(client, login)
    w = world
    expected = {
        "crew-amb-05": {w.on_amb_05},
        "crew-amb-02": set(),
        "township-th-nandun": {w.by_nandun, w.visited_nandun},
        "township-th-dingji": {w.visited_dingji},
        "cathlab-county-hospital": {w.bound_for_county},
        "cathlab-city-hospital": set(),
        "dispatcher": world.all(),
        "auditor": world.all(),
    }
    seen = {user: await visible(client, await signed_in(login, user), world) for user in expected}
    assert expected == seen


async def test_a_crew_reads_its_own_case_only(client: httpx.AsyncClient, login: Login) -> None:
    """GET /cases/{id}: 200 for the crew's case, 403 for another ambulance's."""
    world = await build_world(client, login)
    crew = await signed_in(login, "crew-amb-05")
    assert 200 == (await client.get(f"{CASES}/{world.on_amb_05}", headers=crew)).status_code
    other = await client.get(f"{CASES}/{world.on_amb_01}", headers=crew)
    assert "/problems/forbidden" == assert_problem(other, 403)["type"]


async def test_a_township_reads_its_facility_cases_only(
    client: httpx.AsyncClient, login: Login
) -> None:
    """GET /cases/{id}: 200 for a case that visited the unit, 403 for another unit's."""
    world = await build_world(client, login)
    township = await signed_in(login, "township-th-nandun")
    assert (
        200 == (await client.get(f"{CASES}/{world.visited_nandun}", headers=township)).status_code
    )
    other = await client.get(f"{CASES}/{world.visited_dingji}", headers=township)
    assert "/problems/forbidden" == assert_problem(other, 403)["type"]


async def test_the_assigned_crew_stamps_its_case(client: httpx.AsyncClient, login: Login) -> None:
    """The crew of the dispatched ambulance may stamp its case (first medical contact)."""
    world = await build_world(client, login)
    event = await stamp(
        client,
        await signed_in(login, "crew-amb-05"),
        world.on_amb_05,
        "first_medical_contact",
        minutes_ago(2),
    )
    assert ("crew-amb-05", "user") == (event["recorded_by"], event["source"])


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("POST", "events", {"milestone": "first_ecg", "at": "2024-05-01T08:00:00+08:00"}),
        ("PATCH", "", {"killip_class": 2}),
        ("PATCH", "", {"status": "closed"}),
        ("POST", "dispatch", {}),
    ],
)
async def test_an_auditor_reads_every_case_but_writes_none(
    client: httpx.AsyncClient,
    login: Login,
    db: AsyncSession,
    method: str,
    path: str,
    body: dict[str, object],
) -> None:
    """Auditor: GET any case 200; stamps, changes and dispatch 403 with nothing written."""
    dispatcher = await signed_in(login, "dispatcher")
    case = await open_case(client, dispatcher)
    auditor = await signed_in(login, "auditor")
    assert 200 == (await client.get(f"{CASES}/{case['id']}", headers=auditor)).status_code
    stamps = await count_events(db, case["id"])

    url = f"{CASES}/{case['id']}" + (f"/{path}" if path else "")
    response = await client.request(method, url, json=body, headers=auditor)
    assert "/problems/forbidden" == assert_problem(response, 403)["type"]
    assert stamps == await count_events(db, case["id"])
    after = (await client.get(f"{CASES}/{case['id']}", headers=auditor)).json()
    assert ("active", None, None) == (
        after["status"],
        after["ambulance_id"],
        after["findings"]["killip_class"],
    )


async def test_a_unit_not_on_the_case_cannot_change_it(
    client: httpx.AsyncClient, login: Login, db: AsyncSession
) -> None:
    """Another township's user: PATCH and stamps are 403 and nothing changes."""
    case = await open_case(client, await signed_in(login, "township-th-nandun"))
    stranger = await signed_in(login, "township-th-dingji")
    patch = await client.patch(f"{CASES}/{case['id']}", json={"killip_class": 3}, headers=stranger)
    assert_problem(patch, 403)
    refused = await post_event(client, stranger, case["id"], "first_ecg", minutes_ago(1))
    assert_problem(refused, 403)
    assert 0 == await count_events(db, case["id"])


async def test_a_corrected_door_cannot_bring_in_another_unit(
    client: httpx.AsyncClient, login: Login
) -> None:
    """A door-in at Nandun "corrected" to Dingji, which is not on the case: 409 transfer-first,
    and Dingji neither lists nor reads the case (a stamp never makes a facility a party)."""
    dispatcher = await signed_in(login, "dispatcher")
    case = await open_case(client, dispatcher)
    await transfer(client, dispatcher, case["id"], "th-nandun")
    manager = await signed_in(login, "data-manager")
    door = await stamp(
        client, manager, case["id"], "facility_arrival", minutes_ago(20), facility_id="th-nandun"
    )
    moved = await post_event(
        client, manager, case["id"], "facility_arrival", minutes_ago(20),
        facility_id="th-dingji", supersedes=door["id"], reason="wrong unit picked",
    )  # fmt: skip
    assert "/problems/transfer-first" == assert_problem(moved, 409)["type"]
    seen = {}
    for user in ("township-th-nandun", "township-th-dingji"):
        headers = await signed_in(login, user)
        listed = await client.get(CASES, headers=headers, params={"limit": 1000})
        read = await client.get(f"{CASES}/{case['id']}", headers=headers)
        seen[user] = (case["id"] in {c["id"] for c in listed.json()}, read.status_code)
    assert {"township-th-nandun": (True, 200), "township-th-dingji": (False, 403)} == seen


async def test_an_idempotency_key_does_not_open_another_users_case(
    client: httpx.AsyncClient, login: Login, db: AsyncSession
) -> None:
    """Another user sending a dispatcher's key and body opens its own case, never gets the
    dispatcher's (keys are per user, issue 12 finding 8); the dispatcher's retry is a replay."""
    body = case_body(complaint="胸痛")
    key = {"Idempotency-Key": "open-shared-key"}
    first = await client.post(
        CASES, json=body, headers={**await signed_in(login, "dispatcher"), **key}
    )
    assert 201 == first.status_code, first.text
    cases = await count_cases(db)

    crew = {**await signed_in(login, "crew-amb-03"), **key}
    assert 403 == (await client.get(f"{CASES}/{first.json()['id']}", headers=crew)).status_code
    own = await client.post(CASES, json=body, headers=crew)
    assert (201, "crew-amb-03") == (own.status_code, own.json()["created_by"])
    assert own.json()["id"] != first.json()["id"]
    assert cases + 1 == await count_cases(db)
    again = await client.post(
        CASES, json=body, headers={**await signed_in(login, "dispatcher"), **key}
    )
    assert first.json()["id"] == again.json()["id"]
    assert cases + 1 == await count_cases(db)
