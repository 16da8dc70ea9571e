"""Keeping the GPS track's monthly partitions (issue 17): the months ahead created, the months
past the retention dropped, and any fix that fell into the DEFAULT partition (the upkeep did
not run for a while) moved into its month. Runs as the schema's owner: the service's role
has no DDL (``dispatch/app_role.py``). One transaction; concurrent runs wait for each other.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection

from units.track_months import DEFAULT_PARTITION, PARENT, Month, expired, keep_from, wanted

_LOCK = 0x74726B70  # "trkp": one upkeep at a time


@dataclass
class TrackUpkeep:
    """What one run did."""

    created: list[str] = field(default_factory=list)
    dropped: list[str] = field(default_factory=list)
    moved_rows: int = 0
    deleted_rows: int = 0


async def partitions(conn: AsyncConnection) -> list[str]:
    """The names of the track's partitions (the DEFAULT one included)."""
    found = await conn.scalars(
        text(
            "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid"
            " WHERE i.inhparent = CAST(:parent AS regclass) ORDER BY c.relname"
        ),
        {"parent": PARENT},
    )
    return list(found)


async def _stranded_months(conn: AsyncConnection, since: datetime) -> list[Month]:
    """The months of the fixes kept in the DEFAULT partition that are still within retention."""
    found = await conn.scalars(
        text(
            "SELECT DISTINCT received_at FROM ambulance_positions_default"
            " WHERE received_at >= :since"
        ),
        {"since": since},
    )
    return sorted({Month.of(at) for at in found})


async def _create(conn: AsyncConnection, month: Month) -> int:
    """The month's partition, with the fixes of that month the DEFAULT partition held."""
    bounds = {"starts": month.starts, "ends": month.ends}
    await conn.execute(
        text(
            f'CREATE TABLE "{month.name}" (LIKE {PARENT} INCLUDING DEFAULTS INCLUDING CONSTRAINTS)'
        )
    )
    take = (
        "DELETE FROM ambulance_positions_default"
        " WHERE received_at >= :starts AND received_at < :ends RETURNING *"
    )
    into = f'INSERT INTO "{month.name}" SELECT * FROM moved'  # noqa: S608 - a name Month made
    moved = await conn.execute(text(f"WITH moved AS ({take}) {into}"), bounds)
    # ATTACH takes the literal bounds: they are timestamps this module made, not input.
    await conn.execute(
        text(
            f'ALTER TABLE {PARENT} ATTACH PARTITION "{month.name}" FOR VALUES'
            f" FROM ('{month.starts.isoformat()}') TO ('{month.ends.isoformat()}')"
        )
    )
    return int(moved.rowcount or 0)


async def maintain(
    conn: AsyncConnection, now: datetime, retention_months: int, months_ahead: int
) -> TrackUpkeep:
    """Create the months ahead (and any month stranded in DEFAULT), drop the expired ones."""
    await conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _LOCK})
    done = TrackUpkeep()
    names = await partitions(conn)
    existing = [m for m in map(Month.named, names) if m is not None]
    limit = keep_from(now, retention_months)
    stranded = await _stranded_months(conn, limit) if DEFAULT_PARTITION in names else []
    for month in sorted(set(wanted(now, months_ahead)) | set(stranded)):
        if month not in existing:
            done.moved_rows += await _create(conn, month)
            done.created.append(month.name)
    for month in expired(existing, now, retention_months):
        await conn.execute(text(f'DROP TABLE "{month.name}"'))
        done.dropped.append(month.name)
    if DEFAULT_PARTITION in names:
        deleted = await conn.execute(
            text("DELETE FROM ambulance_positions_default WHERE received_at < :limit"),
            {"limit": limit},
        )
        done.deleted_rows = int(deleted.rowcount or 0)
    return done
