"""Idempotent retries under real concurrency: committed transactions, not the rolled-back one.

These tests build their own app on the session's engine (each request its own connection and
transaction, as in production), so what they create is committed: they delete it afterwards.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import httpx
import pytest
from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker

from dispatch.app import create_app
from dispatch.cases.maintenance import remove_cases
from dispatch.cases.models import Case
from dispatch.settings import Settings
from geo.runtime import RoadRuntime
from tests.e2e.cases_helpers import CASES, case_body, iso, minutes_ago

SENDS = 20


@pytest.fixture
async def committing_client(
    settings: Settings, engine: AsyncEngine, demo_roads: RoadRuntime
) -> AsyncIterator[httpx.AsyncClient]:
    """A client on an app whose requests commit, like the real server's."""
    app = create_app(settings)
    app.state.engine = engine
    app.state.sessionmaker = async_sessionmaker(engine, expire_on_commit=False)
    app.state.roads = demo_roads
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:
        yield http


async def sign_in(http: httpx.AsyncClient, username: str) -> dict[str, str]:
    response = await http.post(
        "/api/v1/auth/token", data={"username": username, "password": "demo"}
    )
    assert 200 == response.status_code, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


async def delete_cases(engine: AsyncEngine, case_ids: set[int]) -> None:
    """Remove committed test cases with their stamps (the owner's maintenance: stamps are
    append-only and no longer cascade)."""
    if case_ids:
        async with async_sessionmaker(engine)() as db, db.begin():
            await remove_cases(db, select(Case.id).where(Case.id.in_(sorted(case_ids))))


async def test_twenty_concurrent_sends_of_one_key_make_one_event(
    committing_client: httpx.AsyncClient, engine: AsyncEngine
) -> None:
    """The same Idempotency-Key sent 20 times at once: 20 × 201, one event id, one row."""
    http = committing_client
    created: set[int] = set()
    try:
        headers = await sign_in(http, "data-manager")  # records any milestone
        opened = await http.post(CASES, json=case_body(), headers=headers)
        assert 201 == opened.status_code, opened.text
        case_id = opened.json()["id"]
        created.add(case_id)

        body = {
            "milestone": "first_ecg",
            "at": iso(minutes_ago(2)),
            "device_at": iso(minutes_ago(0)),
        }
        sent = {**headers, "Idempotency-Key": "ecg-storm"}
        responses = await asyncio.gather(
            *(http.post(f"{CASES}/{case_id}/events", json=body, headers=sent) for _ in range(SENDS))
        )

        assert [201] * SENDS == [r.status_code for r in responses], [r.text for r in responses]
        assert 1 == len({r.json()["id"] for r in responses})
        assert 1 == len({r.text for r in responses})
        replayed = [r.headers.get("idempotent-replayed") for r in responses]
        assert SENDS - 1 == replayed.count("true")
        async with engine.connect() as connection:
            rows = await connection.scalar(
                text(
                    "select count(*) from case_events"
                    " where case_id = :id and idempotency_key = 'ecg-storm'"
                ),
                {"id": case_id},
            )
        assert 1 == rows
    finally:
        await delete_cases(engine, created)


async def test_twenty_concurrent_opens_with_one_key_make_one_case(
    committing_client: httpx.AsyncClient, engine: AsyncEngine
) -> None:
    """A case opened 20 times at once with one Idempotency-Key: 20 × 201, one case."""
    http = committing_client
    key = f"open-storm-{id(http)}"
    created: set[int] = set()
    try:
        headers = {**await sign_in(http, "dispatcher"), "Idempotency-Key": key}
        body = case_body(complaint="胸痛", symptom_onset=iso(minutes_ago(30)))
        responses = await asyncio.gather(
            *(http.post(CASES, json=body, headers=headers) for _ in range(SENDS))
        )
        created.update(r.json()["id"] for r in responses if r.status_code == 201)
        async with engine.connect() as connection:
            created.update(
                await connection.scalars(
                    text("select id from cases where idempotency_key = :key"), {"key": key}
                )
            )

        assert [201] * SENDS == [r.status_code for r in responses], [r.text for r in responses]
        assert 1 == len(created)
        assert SENDS - 1 == [r.headers.get("idempotent-replayed") for r in responses].count("true")
    finally:
        await delete_cases(engine, created)


async def test_cases_dispatched_at_once_never_share_an_ambulance(
    committing_client: httpx.AsyncClient, engine: AsyncEngine
) -> None:
    """Eight cases at one village dispatched at once: each gets its own ambulance (or a 409)."""
    http = committing_client
    created: set[int] = set()
    async with engine.connect() as connection:
        fleet = (
            await connection.execute(text("select id, status, status_at from ambulances"))
        ).all()
    try:
        headers = await sign_in(http, "dispatcher")
        for _ in range(8):
            opened = await http.post(CASES, json=case_body(), headers=headers)
            assert 201 == opened.status_code, opened.text
            created.add(opened.json()["id"])
        # warm the pool so that the dispatches really overlap instead of queueing for connections
        await asyncio.gather(*(http.get(CASES, headers=headers) for _ in range(10)))
        responses = await asyncio.gather(
            *(http.post(f"{CASES}/{cid}/dispatch", json={}, headers=headers) for cid in created)
        )

        codes = [r.status_code for r in responses]
        assert set(codes) <= {200, 409}, [r.text for r in responses]
        sent = [r.json()["ambulance"]["ambulance_id"] for r in responses if r.status_code == 200]
        assert len(sent) >= 2, codes
        assert sorted(set(sent)) == sorted(sent), sent
        async with engine.connect() as connection:
            assigned = (
                await connection.execute(
                    text(
                        "select c.ambulance_id, a.status from cases c"
                        " join ambulances a on a.id = c.ambulance_id where c.id = any(:ids)"
                    ),
                    {"ids": sorted(created)},
                )
            ).all()
        assert sorted(sent) == sorted(row.ambulance_id for row in assigned)
        assert {"dispatched"} == {row.status for row in assigned}
    finally:
        await delete_cases(engine, created)
        async with engine.begin() as connection:
            for row in fleet:
                await connection.execute(
                    text("update ambulances set status = :s, status_at = :at where id = :id"),
                    {"s": row.status, "at": row.status_at, "id": row.id},
                )
