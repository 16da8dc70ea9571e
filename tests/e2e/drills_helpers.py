"""Small helpers shared by the drill and quality-control tests (not tests)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import httpx
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

DRILLS = "/api/v1/drills"
UNIT = "th-nandun"
UNIT_USER = "township-th-nandun"
OTHER_UNIT_USER = "township-th-dingji"


async def drill_now(
    client: httpx.AsyncClient, headers: dict[str, str], pathway: str = "stemi", **extra: Any
) -> dict[str, Any]:
    """Start an unannounced drill at the unit (201) and return it."""
    body = {"facility_id": UNIT, "pathway": pathway, "unannounced": True, **extra}
    response = await client.post(DRILLS, json=body, headers=headers)
    assert 201 == response.status_code, response.text
    drill: dict[str, Any] = response.json()
    return drill


async def frames_of(db: AsyncSession, stream: str, frame_type: str) -> list[dict[str, Any]]:
    """The payloads of the stream's frames of this type, in order."""
    rows = await db.scalars(
        text("SELECT payload FROM alert_stream WHERE stream = :s AND type = :t ORDER BY seq"),
        {"s": stream, "t": frame_type},
    )
    return [dict(row) for row in rows]


async def drill_row(db: AsyncSession, drill_id: int) -> tuple[str, datetime | None]:
    """The drill's status and start as the database holds them."""
    row = (
        await db.execute(
            text("SELECT status, started_at FROM drills WHERE id = :id"), {"id": drill_id}
        )
    ).one()
    return row.status, row.started_at
