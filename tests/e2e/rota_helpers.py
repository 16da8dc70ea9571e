"""Helpers of the ECG readers' rota tests (issue 16)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import httpx
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from units import accounts
from units.vocabulary import Role

ROTA = "/api/v1/ecg-rota"
SECOND_READER = "ecg-reader-2"


async def empty_rota(db: AsyncSession) -> None:
    """No shift on the rota (the demo's are removed in the test's rolled-back transaction)."""
    await db.execute(text("DELETE FROM ecg_rota_shifts"))
    await db.flush()


async def second_reader(db: AsyncSession) -> None:
    """Another ECG reader (password ``demo``), in the test's transaction."""
    await accounts.add_user(db, SECOND_READER, "demo", Role.ecg_reader)
    await db.flush()


async def put_on(
    client: httpx.AsyncClient,
    admin: dict[str, str],
    username: str,
    starts_at: datetime,
    ends_at: datetime,
) -> httpx.Response:
    """POST one shift."""
    body: dict[str, Any] = {
        "username": username,
        "starts_at": starts_at.isoformat(),
        "ends_at": ends_at.isoformat(),
    }
    return await client.post(ROTA, json=body, headers=admin)
