"""Shared by the bad-input tests: a fingerprint of every main table, to prove nothing was
written, and the problem+json check (not tests)."""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

# Every table a request can write to (the road network and places are written by the CLI only,
# but a request that wrote them would be caught too).
MAIN_TABLES = (
    "users",
    "facilities",
    "ambulances",
    "ambulance_positions",
    "cases",
    "case_events",
    "alerts",
    "alert_deliveries",
    "alert_escalations",
    "alert_stream",
    "alert_stream_heads",
    "attachments",
    "login_failures",
    "report_cases",
    "report_facts",
    "places",
)

Fingerprint = dict[str, tuple[int, int]]


async def fingerprint(db: AsyncSession) -> Fingerprint:
    """Per table: its row count and a sum of its rows' hashes (an UPDATE changes the sum)."""
    found: Fingerprint = {}
    for table in MAIN_TABLES:
        row = (
            await db.execute(
                text(f"SELECT count(*), coalesce(sum(hashtext(t::text)), 0) FROM {table} t")  # noqa: S608 - constant names
            )
        ).one()
        found[table] = (int(row[0]), int(row[1]))
    return found
