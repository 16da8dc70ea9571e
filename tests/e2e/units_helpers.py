"""Small helpers shared by the e2e tests of facilities and ambulances (not tests themselves)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from sqlalchemy import event, text
from sqlalchemy.exc import InterfaceError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import ORMExecuteState, Session

PROBLEM_KEYS = {"type", "title", "status", "detail"}
# A point inside the demo county (Xiangcheng, Henan), away from the stations.
INSIDE_LON, INSIDE_LAT = 114.90, 33.45


@dataclass(frozen=True)
class AmbulanceRow:
    """What the database holds about an ambulance's whereabouts."""

    lon: float | None
    lat: float | None
    position_at: datetime | None
    positions: int


def minutes_ago(minutes: float) -> datetime:
    """A UTC time ``minutes`` before now."""
    return datetime.now(UTC) - timedelta(minutes=minutes)


def fix(
    lon: float = INSIDE_LON,
    lat: float = INSIDE_LAT,
    at: datetime | None = None,
    **extra: Any,
) -> dict[str, Any]:
    """A position as a client posts it."""
    recorded = at if at is not None else minutes_ago(1)
    return {"lon": lon, "lat": lat, "recorded_at": recorded.isoformat(), **extra}


async def ambulance_row(db: AsyncSession, ambulance_id: str) -> AmbulanceRow:
    """The ambulance's stored position, its time, and how many fixes its track holds."""
    row = (
        await db.execute(
            text(
                "select ST_X(position), ST_Y(position), position_at,"
                " (select count(*) from ambulance_positions p where p.ambulance_id = a.id)"
                " from ambulances a where a.id = :id"
            ),
            {"id": ambulance_id},
        )
    ).one()
    return AmbulanceRow(row[0], row[1], row[2], int(row[3]))


async def ambulance_feature(
    client: httpx.AsyncClient, headers: dict[str, str], ambulance_id: str
) -> dict[str, Any]:
    """The ambulance's feature from GET /ambulances."""
    response = await client.get("/api/v1/ambulances", headers=headers)
    assert 200 == response.status_code, response.text
    features = [f for f in response.json()["features"] if f["id"] == ambulance_id]
    assert 1 == len(features), ambulance_id
    feature: dict[str, Any] = features[0]
    return feature


def assert_problem(response: httpx.Response, status: int) -> dict[str, Any]:
    """The response is an RFC 9457 problem with this status; its body is returned."""
    assert status == response.status_code, response.text
    assert "application/problem+json" == response.headers["content-type"]
    body: dict[str, Any] = response.json()
    assert PROBLEM_KEYS <= set(body)
    assert status == body["status"]
    assert body["type"].startswith("/problems/")
    assert body["title"]
    assert body["detail"]
    return body


@contextmanager
def commit_fails_after_insert_into(table_name: str) -> Iterator[None]:
    """Inside: a transaction that inserted into the table loses its connection at COMMIT."""

    def note_insert(state: ORMExecuteState) -> None:
        table = getattr(state.statement, "table", None)
        if state.is_insert and getattr(table, "name", None) == table_name:
            state.session.info["inserted_into"] = table_name

    def note_added(session: Session, _context: object, _instances: object) -> None:
        if any(getattr(added, "__tablename__", None) == table_name for added in session.new):
            session.info["inserted_into"] = table_name

    def lose_connection(session: Session) -> None:
        if session.info.pop("inserted_into", None) == table_name:
            lost = ConnectionError("connection was closed in the middle of operation")
            raise InterfaceError("COMMIT", None, lost, connection_invalidated=True)

    listeners = [
        ("do_orm_execute", note_insert),
        ("before_flush", note_added),
        ("before_commit", lose_connection),
    ]
    for name, listener in listeners:
        event.listen(Session, name, listener)
    try:
        yield
    finally:
        for name, listener in listeners:
            event.remove(Session, name, listener)
