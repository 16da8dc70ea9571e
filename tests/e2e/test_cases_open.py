"""Opening cases over HTTP: any input coordinate system, the first stamps, retries, bad input."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from geo.crs import wgs84_to_gcj02
from tests.conftest import Login
from tests.e2e.cases_helpers import (
    CASES,
    TOWN_VILLAGE,
    case_body,
    count_cases,
    count_events,
    iso,
    milestones_of,
    minutes_ago,
    open_case,
    signed_in,
    when,
)
from tests.e2e.units_helpers import assert_problem, commit_fails_after_insert_into


async def stored_point(db: AsyncSession, case_id: int) -> tuple[float, float, str]:
    """The case's stored location (WGS84) and the coordinate system it was sent in."""
    row = (
        await db.execute(
            text(
                "select ST_X(location), ST_Y(location), ST_SRID(location) = 4326, input_crs"
                " from cases where id = :id"
            ),
            {"id": case_id},
        )
    ).one()
    assert row[2], "the location is not stored in EPSG:4326"
    return row[0], row[1], row[3]


async def test_a_dispatcher_opens_a_case_at_a_village(
    client: httpx.AsyncClient, login: Login, db: AsyncSession
) -> None:
    """201 with the WGS84 point, and a timeline of the call (by the dispatcher) and the onset."""
    onset = minutes_ago(40)
    before = datetime.now(UTC)
    body = case_body(complaint="胸痛2小时", symptom_onset=iso(onset), patient={"age": 63})
    case = await open_case(client, await signed_in(login, "dispatcher"), body)
    after = datetime.now(UTC)

    assert ("stemi", "active", "dispatcher") == (
        case["pathway"],
        case["status"],
        case["created_by"],
    )
    assert pytest.approx(TOWN_VILLAGE) == (case["lon"], case["lat"])
    assert {"age": 63, "sex": "unknown", "name": None, "id_number": None} == case["patient"]
    assert ["symptom_onset", "call_received"] == [e["milestone"] for e in case["timeline"]]
    onset_event, call = case["timeline"]
    assert onset == when(onset_event["at"])
    assert ("user", "dispatcher") == (call["source"], call["recorded_by"])
    assert before <= when(call["at"]) <= after
    assert all(e["superseded_by"] is None for e in case["timeline"])
    lon, lat, crs = await stored_point(db, case["id"])
    assert pytest.approx(TOWN_VILLAGE) == (lon, lat)
    assert "wgs84" == crs


async def test_a_gcj02_pin_is_stored_in_wgs84(
    client: httpx.AsyncClient, login: Login, db: AsyncSession
) -> None:
    """A GCJ-02 pin from a phone map is converted: the case sits on the WGS84 village point."""
    gcj_lon, gcj_lat = wgs84_to_gcj02(*TOWN_VILLAGE)
    assert abs(gcj_lon - TOWN_VILLAGE[0]) > 1e-3  # the offset is hundreds of metres
    body = {"pathway": "stroke", "location": {"lon": gcj_lon, "lat": gcj_lat, "crs": "gcj02"}}
    case = await open_case(client, await signed_in(login, "dispatcher"), body)

    assert pytest.approx(TOWN_VILLAGE, abs=1e-6) == (case["lon"], case["lat"])
    lon, lat, crs = await stored_point(db, case["id"])
    assert pytest.approx(TOWN_VILLAGE, abs=1e-6) == (lon, lat)
    assert "gcj02" == crs


async def test_a_given_call_time_is_kept(client: httpx.AsyncClient, login: Login) -> None:
    """call_received sent by the client is the stamp's time, not the server's."""
    call = minutes_ago(3)
    case = await open_case(
        client, await signed_in(login, "dispatcher"), case_body(call_received=iso(call))
    )
    assert [call] == [when(e["at"]) for e in milestones_of(case, "call_received")]


async def test_a_township_case_has_no_call_stamp(client: httpx.AsyncClient, login: Login) -> None:
    """A walk-in opened by a township unit stamps no call; the case concerns that unit."""
    case = await open_case(client, await signed_in(login, "township-th-nandun"))
    assert [] == case["timeline"]
    assert "township-th-nandun" == case["created_by"]


async def test_a_retried_open_returns_the_same_case(
    client: httpx.AsyncClient, login: Login, db: AsyncSession
) -> None:
    """The same Idempotency-Key and body: the same case, marked Idempotent-Replayed, one row."""
    headers = {**await signed_in(login, "dispatcher"), "Idempotency-Key": "open-7f3a"}
    body = case_body(symptom_onset=iso(minutes_ago(30)))
    first = await client.post(CASES, json=body, headers=headers)
    assert 201 == first.status_code, first.text
    assert "idempotent-replayed" not in first.headers
    cases = await count_cases(db)
    events = await count_events(db)

    again = await client.post(CASES, json=body, headers=headers)
    assert 201 == again.status_code, again.text
    assert "true" == again.headers["idempotent-replayed"]
    assert first.json()["id"] == again.json()["id"]
    assert first.json()["timeline"] == again.json()["timeline"]
    assert (cases, events) == (await count_cases(db), await count_events(db))


async def test_a_reused_open_key_with_another_body_is_422(
    client: httpx.AsyncClient, login: Login, db: AsyncSession
) -> None:
    """The same Idempotency-Key with a different case: 422 idempotency-key-reused, nothing new."""
    headers = {**await signed_in(login, "dispatcher"), "Idempotency-Key": "open-reused"}
    first = await client.post(CASES, json=case_body(), headers=headers)
    assert 201 == first.status_code, first.text
    cases = await count_cases(db)

    other = await client.post(CASES, json=case_body(pathway="stroke"), headers=headers)
    body = assert_problem(other, 422)
    assert "/problems/idempotency-key-reused" == body["type"]
    assert cases == await count_cases(db)


def future_onset() -> dict[str, Any]:
    return case_body(symptom_onset=iso(datetime.now(UTC) + timedelta(hours=1)))


@pytest.mark.parametrize(
    ("body", "problem", "words"),
    [
        (case_body(pathway="appendicitis"), "invalid-event", "unknown pathway 'appendicitis'"),
        (case_body(lon=2.35, lat=48.85), "invalid-coordinate", "outside the service area"),
        (case_body(lon=TOWN_VILLAGE[1], lat=TOWN_VILLAGE[0]), "invalid-coordinate", "swapped"),
        (future_onset(), "invalid-time", "symptom_onset"),
        (
            {"pathway": "stemi", "location": {"lon": 114.9, "lat": 33.4, "crs": "utm"}},
            "invalid-input",
            "location.crs",
        ),
        ({"pathway": "stemi"}, "invalid-input", "location: Field required"),
        (
            case_body(call_received="2024-05-01T08:00:00"),
            "invalid-input",
            "call_received: Input should have timezone",
        ),
        (case_body(pathway=""), "invalid-input", "pathway"),
        (case_body(colour="red"), "invalid-input", "colour: Extra inputs are not permitted"),
    ],
)
async def test_a_bad_case_is_a_4xx_problem_and_nothing_is_written(
    client: httpx.AsyncClient,
    login: Login,
    db: AsyncSession,
    body: dict[str, Any],
    problem: str,
    words: str,
) -> None:
    """Unknown pathway, outside the area, swapped lon/lat, a future onset, bad crs: 422, no row."""
    cases, events = await count_cases(db), await count_events(db)
    response = await client.post(CASES, json=body, headers=await signed_in(login, "dispatcher"))
    found = assert_problem(response, 422)
    assert f"/problems/{problem}" == found["type"]
    assert words in found["detail"]
    assert (cases, events) == (await count_cases(db), await count_events(db))


async def test_an_auditor_cannot_open_a_case(
    client: httpx.AsyncClient, login: Login, db: AsyncSession
) -> None:
    """Auditors read, never write: 403 and no case."""
    cases = await count_cases(db)
    response = await client.post(CASES, json=case_body(), headers=await signed_in(login, "auditor"))
    assert "/problems/forbidden" == assert_problem(response, 403)["type"]
    assert cases == await count_cases(db)


async def test_opening_a_case_needs_a_token(client: httpx.AsyncClient, db: AsyncSession) -> None:
    """No bearer token: 401 and no case."""
    cases = await count_cases(db)
    assert_problem(await client.post(CASES, json=case_body()), 401)
    assert cases == await count_cases(db)


async def test_a_case_whose_commit_fails_is_a_503_and_is_not_there(
    client: httpx.AsyncClient, login: Login, db: AsyncSession
) -> None:
    """The commit runs before the answer: losing the connection at COMMIT is a 503, no case."""
    dispatcher = await signed_in(login, "dispatcher")
    before = await count_cases(db)
    with commit_fails_after_insert_into("cases"):
        response = await client.post(CASES, json=case_body(*TOWN_VILLAGE), headers=dispatcher)
    assert "/problems/database-unavailable" == assert_problem(response, 503)["type"]
    assert before == await count_cases(db)
