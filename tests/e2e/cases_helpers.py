"""Small helpers shared by the e2e tests of cases, dispatch and time stamps (not tests)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import httpx
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from tests.conftest import Login

CASES = "/api/v1/cases"
SHANGHAI = ZoneInfo("Asia/Shanghai")
# Demo villages (synthetic): one in the county town, one in Nandun township (north-west).
TOWN_VILLAGE = (114.906723, 33.42501)  # v-0001 郭庄村, 水寨街道
NANDUN_VILLAGE = (114.739124, 33.539841)  # v-0052 吴庄村, 南顿镇
COUNTY_HOSPITAL = (114.8806, 33.4412)


async def signed_in(login: Login, username: str) -> dict[str, str]:
    """The user's Authorization header. Every token names a session, a row in the test's
    rolled-back transaction: each test signs in afresh."""
    return await login(username)


def iso(at: datetime) -> str:
    """A time as a client sends it."""
    return at.isoformat()


def when(value: str) -> datetime:
    """A time from a response."""
    return datetime.fromisoformat(value)


def minutes_ago(minutes: float) -> datetime:
    """A UTC time ``minutes`` before now."""
    return datetime.now(UTC) - timedelta(minutes=minutes)


def case_body(
    lon: float = TOWN_VILLAGE[0],
    lat: float = TOWN_VILLAGE[1],
    pathway: str = "stemi",
    **extra: Any,
) -> dict[str, Any]:
    """A new case as a client sends it."""
    return {"pathway": pathway, "location": {"lon": lon, "lat": lat}, **extra}


async def open_case(
    client: httpx.AsyncClient,
    headers: dict[str, str],
    body: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Open a case (201) and return it."""
    response = await client.post(CASES, json=body or case_body(), headers=headers)
    assert 201 == response.status_code, response.text
    case: dict[str, Any] = response.json()
    return case


async def post_event(
    client: httpx.AsyncClient,
    headers: dict[str, str],
    case_id: int,
    milestone: str,
    at: datetime,
    key: str | None = None,
    **extra: Any,
) -> httpx.Response:
    """POST a time stamp (with an Idempotency-Key if given) and return the raw response."""
    sent = {**headers, "Idempotency-Key": key} if key is not None else headers
    body = {"milestone": milestone, "at": iso(at), **extra}
    return await client.post(f"{CASES}/{case_id}/events", json=body, headers=sent)


async def stamp(
    client: httpx.AsyncClient,
    headers: dict[str, str],
    case_id: int,
    milestone: str,
    at: datetime,
    **extra: Any,
) -> dict[str, Any]:
    """Record a time stamp (201) and return the event."""
    response = await post_event(client, headers, case_id, milestone, at, **extra)
    assert 201 == response.status_code, (milestone, response.text)
    event: dict[str, Any] = response.json()
    return event


async def read_case(
    client: httpx.AsyncClient, headers: dict[str, str], case_id: int
) -> dict[str, Any]:
    """GET /cases/{id} (200)."""
    response = await client.get(f"{CASES}/{case_id}", headers=headers)
    assert 200 == response.status_code, response.text
    case: dict[str, Any] = response.json()
    return case


def intervals_by_name(case: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
    """The case's intervals grouped by name (per-leg intervals appear once per leg)."""
    found: dict[str, list[dict[str, Any]]] = {}
    for interval in case["intervals"]:
        found.setdefault(interval["name"], []).append(interval)
    return found


def summary_of(case: dict[str, Any]) -> dict[tuple[str, str | None], tuple[float | None, Any]]:
    """Each interval as (name, facility) → (minutes, met)."""
    return {(i["name"], i["facility_id"]): (i["minutes"], i["met"]) for i in case["intervals"]}


def milestones_of(case: dict[str, Any], milestone: str) -> list[dict[str, Any]]:
    """The case's timeline entries of one milestone."""
    return [e for e in case["timeline"] if e["milestone"] == milestone]


async def count_cases(db: AsyncSession) -> int:
    """How many cases the database holds (in this test's transaction)."""
    return int(await db.scalar(text("select count(*) from cases")) or 0)


async def count_events(db: AsyncSession, case_id: int | None = None) -> int:
    """How many time stamps the case (or every case) has."""
    if case_id is None:
        return int(await db.scalar(text("select count(*) from case_events")) or 0)
    statement = text("select count(*) from case_events where case_id = :id")
    return int(await db.scalar(statement, {"id": case_id}) or 0)


async def set_status(
    client: httpx.AsyncClient,
    headers: dict[str, str],
    ambulance_id: str,
    status: str,
    at: datetime | None = None,
) -> httpx.Response:
    """POST an ambulance status change."""
    body = {"status": status, "at": iso(at or datetime.now(UTC))}
    return await client.post(
        f"/api/v1/ambulances/{ambulance_id}/status", json=body, headers=headers
    )


def last_shanghai_2340(now: datetime, room: timedelta) -> datetime:
    """The latest 23:40 Asia/Shanghai such that ``room`` after it is already past ``now``."""
    local = now.astimezone(SHANGHAI)
    base = local.replace(hour=23, minute=40, second=0, microsecond=0)
    while base + room > now:
        base -= timedelta(days=1)
    return base


async def transfer(
    client: httpx.AsyncClient,
    headers: dict[str, str],
    case_id: int,
    facility_id: str,
    reason: str = "",
) -> dict[str, Any]:
    """Bring a facility into the case (POST /cases/{id}/transfer, 200) and return the case."""
    body = {"facility_id": facility_id, "reason": reason}
    response = await client.post(f"{CASES}/{case_id}/transfer", json=body, headers=headers)
    assert 200 == response.status_code, response.text
    case: dict[str, Any] = response.json()
    return case
