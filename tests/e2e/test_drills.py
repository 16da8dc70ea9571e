"""Drills (模拟演练, issue 16): the county schedules a drill at a unit or starts one unannounced;
the drill case runs like a real one, is marked drill everywhere, and is scored when it ends."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from dispatch.drills import loop
from tests.conftest import Login
from tests.e2e.alerts_helpers import alert_body, send
from tests.e2e.cases_helpers import iso, read_case, signed_in, stamp
from tests.e2e.drills_helpers import (
    DRILLS,
    OTHER_UNIT_USER,
    UNIT,
    UNIT_USER,
    drill_now,
    drill_row,
    frames_of,
)
from tests.e2e.units_helpers import assert_problem


async def test_an_unannounced_drill_starts_at_once_with_a_drill_case_at_the_unit(
    client: httpx.AsyncClient, login: Login, db: AsyncSession
) -> None:
    """The drill case opens at the unit, marked drill, and the unit's stream hears of it."""
    county = await signed_in(login, "dispatcher")
    before = datetime.now(UTC)
    body = {"facility_id": UNIT, "pathway": "stemi", "unannounced": True}
    created = await client.post(DRILLS, json=body, headers={**county, "Idempotency-Key": "drill-1"})
    assert 201 == created.status_code, created.text
    drill = created.json()
    assert ("started", "dispatcher", True) == (
        drill["status"],
        drill["created_by"],
        drill["unannounced"],
    )
    assert before <= datetime.fromisoformat(drill["started_at"]) <= datetime.now(UTC)
    unit = await signed_in(login, UNIT_USER)
    case = await read_case(client, unit, drill["case_id"])
    assert (True, "stemi", "active") == (case["drill"], case["pathway"], case["status"])
    started = await frames_of(db, f"facility:{UNIT}", "drill.started")
    assert [drill["id"]] == [frame["id"] for frame in started]
    alerted = await send(client, unit, alert_body(drill["case_id"]))
    assert 201 == alerted.status_code, alerted.text
    assert alerted.json()["alert"]["drill"] is True  # the receiving team sees it is a drill
    assert [drill["id"]] == [f["id"] for f in await frames_of(db, "dispatch", "drill.started")]
    again = await client.post(DRILLS, json=body, headers={**county, "Idempotency-Key": "drill-1"})
    assert (201, drill["id"], "true") == (
        again.status_code,
        again.json()["id"],
        again.headers.get("Idempotent-Replayed"),
    )
    assert 1 == await db.scalar(text("SELECT count(*) FROM cases WHERE drill AND id = :id"),
                                {"id": drill["case_id"]})  # fmt: skip


async def test_a_scheduled_drill_starts_at_its_time_and_not_a_second_before(
    client: httpx.AsyncClient,
    login: Login,
    db: AsyncSession,
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    """The drills loop, given a clock, starts the drill exactly when it is due."""
    county = await signed_in(login, "admin")
    at = (datetime.now(UTC) + timedelta(hours=2)).replace(microsecond=0)
    created = await client.post(
        DRILLS, json={"facility_id": UNIT, "scheduled_at": iso(at)}, headers=county
    )
    assert 201 == created.status_code, created.text
    drill = created.json()
    assert ("scheduled", None) == (drill["status"], drill["case_id"])
    assert drill["id"] not in await loop.start_due(sessionmaker, at - timedelta(seconds=1))
    assert ("scheduled", None) == await drill_row(db, drill["id"])
    assert drill["id"] in await loop.start_due(sessionmaker, at)
    assert ("started", at) == await drill_row(db, drill["id"])
    assert drill["id"] not in await loop.start_due(sessionmaker, at + timedelta(seconds=1))
    unit = await signed_in(login, UNIT_USER)
    seen = (await client.get(f"{DRILLS}/{drill['id']}", headers=unit)).json()
    assert (await read_case(client, unit, seen["case_id"]))["drill"] is True
    started = await frames_of(db, f"facility:{UNIT}", "drill.started")
    assert drill["id"] in [frame["id"] for frame in started]


async def test_the_county_starts_a_scheduled_drill_early_and_cancels_another(
    client: httpx.AsyncClient,
    login: Login,
    db: AsyncSession,
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    """POST /start starts it now (once); a cancelled drill never starts."""
    county = await signed_in(login, "data-manager")
    at = iso(datetime.now(UTC) + timedelta(days=1))
    first, second = [
        (
            await client.post(
                DRILLS, json={"facility_id": UNIT, "scheduled_at": at}, headers=county
            )
        ).json()["id"]
        for _ in range(2)
    ]
    started = await client.post(f"{DRILLS}/{first}/start", headers=county)
    assert ("started", True) == (started.json()["status"], started.json()["case_id"] is not None)
    twice = await client.post(f"{DRILLS}/{first}/start", headers=county)
    assert 409 == assert_problem(twice, 409)["status"]
    cancelled = await client.post(f"{DRILLS}/{second}/cancel", headers=county)
    assert "cancelled" == cancelled.json()["status"]
    assert second not in await loop.start_due(sessionmaker, datetime.now(UTC) + timedelta(days=2))
    assert ("cancelled", None) == await drill_row(db, second)


@pytest.mark.parametrize(
    ("minutes", "met"), [(9.99, True), (10.0, True), (10.01, False)], ids=["below", "at", "above"]
)
async def test_ending_a_drill_scores_its_intervals_against_their_targets(
    client: httpx.AsyncClient, login: Login, minutes: float, met: bool
) -> None:
    """FMC to first ECG (target ≤ 10 min): just below and at the target meet it, above not."""
    county = await signed_in(login, "dispatcher")
    drill = await drill_now(client, county)
    unit = await signed_in(login, UNIT_USER)
    contact = datetime.now(UTC) - timedelta(minutes=20)
    await stamp(client, unit, drill["case_id"], "first_medical_contact", contact)
    await stamp(client, unit, drill["case_id"], "first_ecg", contact + timedelta(minutes=minutes))
    ended = await client.post(f"{DRILLS}/{drill['id']}/end", headers=county)
    assert 200 == ended.status_code, ended.text
    scored = ended.json()
    assert "ended" == scored["status"]
    by_name = {row["name"]: row for row in scored["score"]["intervals"]}
    row = by_name["fmc_to_first_ecg"]
    assert (pytest.approx(minutes), 10, met) == (row["minutes"], row["target_minutes"], row["met"])
    assert (1, int(met)) == (scored["score"]["judged"], scored["score"]["met"])
    assert "closed" == (await read_case(client, unit, drill["case_id"]))["status"]


async def test_closing_the_drill_case_scores_the_drill(
    client: httpx.AsyncClient,
    login: Login,
    db: AsyncSession,
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    """The unit closes its drill case; the drills loop scores the drill."""
    county = await signed_in(login, "dispatcher")
    drill = await drill_now(client, county)
    unit = await signed_in(login, UNIT_USER)
    contact = datetime.now(UTC) - timedelta(minutes=30)
    await stamp(client, unit, drill["case_id"], "first_medical_contact", contact)
    await stamp(client, unit, drill["case_id"], "first_ecg", contact + timedelta(minutes=12))
    closed = await client.patch(
        f"/api/v1/cases/{drill['case_id']}", json={"status": "closed"}, headers=county
    )
    assert 200 == closed.status_code, closed.text
    assert [drill["id"]] == await loop.score_closed(sessionmaker, datetime.now(UTC))
    scored = (await client.get(f"{DRILLS}/{drill['id']}", headers=unit)).json()
    assert "ended" == scored["status"]
    assert [False] == [r["met"] for r in scored["score"]["intervals"] if r["met"] is not None]
    assert [] == await loop.score_closed(sessionmaker, datetime.now(UTC))
    ended = await frames_of(db, f"facility:{UNIT}", "drill.ended")
    assert [drill["id"]] == [frame["id"] for frame in ended]


async def test_a_unit_sees_only_its_own_drills_and_runs_none(
    client: httpx.AsyncClient, login: Login
) -> None:
    """Another unit can neither see nor start, end or cancel this unit's drills."""
    county = await signed_in(login, "dispatcher")
    drill = await drill_now(client, county)
    own = await signed_in(login, UNIT_USER)
    listed = await client.get(DRILLS, params={"facility_id": UNIT}, headers=own)
    assert drill["id"] in [d["id"] for d in listed.json()]
    stranger = await signed_in(login, OTHER_UNIT_USER)
    assert (
        403
        == (await client.get(DRILLS, params={"facility_id": UNIT}, headers=stranger)).status_code
    )
    assert drill["id"] not in [d["id"] for d in (await client.get(DRILLS, headers=stranger)).json()]
    assert 403 == (await client.get(f"{DRILLS}/{drill['id']}", headers=stranger)).status_code
    for action in ("start", "end", "cancel"):
        refused = await client.post(f"{DRILLS}/{drill['id']}/{action}", headers=stranger)
        assert 403 == refused.status_code, (action, refused.text)
    for who in (UNIT_USER, OTHER_UNIT_USER, "auditor", "crew-amb-01"):
        body = {"facility_id": UNIT, "unannounced": True}
        refused = await client.post(DRILLS, json=body, headers=await signed_in(login, who))
        assert 403 == refused.status_code, (who, refused.text)
    auditor = await signed_in(login, "auditor")
    assert drill["id"] in [d["id"] for d in (await client.get(DRILLS, headers=auditor)).json()]


@pytest.mark.parametrize(
    ("body", "status"),
    [
        ({"facility_id": UNIT, "pathway": "cardiac-ish", "unannounced": True}, 422),
        ({"facility_id": "nowhere", "unannounced": True}, 404),
        ({"facility_id": UNIT, "scheduled_at": "2020-01-01T08:00:00+08:00"}, 422),
        ({"facility_id": UNIT, "scheduled_at": "2099-01-01T08:00:00", "unannounced": False}, 422),
        ({"facility_id": UNIT, "unannounced": True, "scheduled_at": "2099-01-01T08:00:00Z"}, 422),
        ({"facility_id": UNIT, "unannounced": True, "x": 1}, 422),
    ],
    ids=["pathway", "facility", "past", "no-offset", "both", "extra"],
)
async def test_a_bad_drill_is_refused_and_changes_nothing(
    client: httpx.AsyncClient, login: Login, db: AsyncSession, body: dict[str, object], status: int
) -> None:
    before = await db.scalar(text("SELECT count(*) FROM drills"))
    refused = await client.post(DRILLS, json=body, headers=await signed_in(login, "admin"))
    assert status == assert_problem(refused, status)["status"]
    assert before == await db.scalar(text("SELECT count(*) FROM drills"))
