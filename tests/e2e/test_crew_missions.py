"""An ambulance crew's mission stream over HTTP: a dispatch is a ``mission.assigned`` frame on
``ambulance:<id>`` (the case, the village, the start of the route), a release a
``mission.released`` one; only that crew (and those who read everything) may read it."""

from __future__ import annotations

from typing import Any

import httpx

from tests.conftest import Login
from tests.e2e.cases_helpers import NANDUN_VILLAGE, case_body, open_case, set_status, signed_in
from tests.e2e.units_helpers import assert_problem

AMBULANCE = "amb-03"


async def missions_of(
    client: httpx.AsyncClient, headers: dict[str, str], ambulance_id: str, since: int = 0
) -> httpx.Response:
    return await client.get(
        f"/api/v1/ambulances/{ambulance_id}/missions", params={"since": since}, headers=headers
    )


async def dispatched_case(client: httpx.AsyncClient, dispatcher: dict[str, str]) -> dict[str, Any]:
    body = case_body(*NANDUN_VILLAGE)
    body.update(complaint="胸痛两小时", patient={"age": 67, "sex": "female"})
    case = await open_case(client, dispatcher, body)
    response = await client.post(
        f"/api/v1/cases/{case['id']}/dispatch",
        json={"ambulance_id": AMBULANCE},
        headers=dispatcher,
    )
    assert 200 == response.status_code, response.text
    return case


async def test_a_dispatch_is_a_mission_frame_on_the_crews_stream(
    client: httpx.AsyncClient, login: Login
) -> None:
    """After POST /cases/{id}/dispatch the crew's stream has one mission.assigned frame with the
    case, its village, the patient and where the ambulance starts; a release adds
    mission.released."""
    dispatcher = await signed_in(login, "dispatcher")
    crew = await signed_in(login, f"crew-{AMBULANCE}")
    start = (await missions_of(client, crew, AMBULANCE)).json()["head"]
    case = await dispatched_case(client, dispatcher)

    replay = await missions_of(client, crew, AMBULANCE, since=start)
    assert 200 == replay.status_code, replay.text
    frames = replay.json()["frames"]
    assert [(start + 1, "mission.assigned")] == [(f["seq"], f["type"]) for f in frames]
    mission = frames[0]["mission"]
    assert f"ambulance:{AMBULANCE}" == frames[0]["stream"]
    assert "alert" not in frames[0]
    assert (case["id"], AMBULANCE, "stemi", "胸痛两小时") == (
        mission["case_id"],
        mission["ambulance_id"],
        mission["pathway"],
        mission["complaint"],
    )
    assert {"age": 67, "sex": "female"} == mission["patient"]
    assert "吴庄村" == mission["place"]["name_zh"]
    assert "南顿镇" == mission["place"]["township_zh"]
    assert mission["from"] is not None
    assert mission["minutes"] > 0

    assert 200 == (await set_status(client, crew, AMBULANCE, "available")).status_code
    later = (await missions_of(client, crew, AMBULANCE, since=start + 1)).json()["frames"]
    assert [("mission.released", case["id"])] == [
        (f["type"], f["mission"]["case_id"]) for f in later
    ]


async def test_only_the_crew_of_that_ambulance_reads_its_stream(
    client: httpx.AsyncClient, login: Login
) -> None:
    """Another crew and a township unit get 403 on the stream; the dispatcher may read it."""
    for stranger in ("crew-amb-04", "township-th-nandun", "cathlab-county-hospital"):
        refused = await missions_of(client, await signed_in(login, stranger), AMBULANCE)
        assert_problem(refused, 403)
    assert (
        200
        == (await missions_of(client, await signed_in(login, "dispatcher"), AMBULANCE)).status_code
    )
