"""The GPS track partitioned by month (issue 17, migration 0032), on a real PostGIS: a fix
lands in its month; the upkeep makes the months ahead, moves fixes stranded in the DEFAULT
partition into their month, drops the months past the retention and is idempotent."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from units import service as units_service
from units.hooks import UnitHooks
from units.track_months import Month, add_months
from units.track_partitions import maintain, partitions
from units.track_writer import Report, write_reports

AMBULANCE = "amb-03"


async def _fix_at(connection: AsyncConnection, received_at: datetime) -> int:
    """One fix of the demo ambulance received at the given time; its id."""
    found = await connection.scalar(
        text(
            "INSERT INTO ambulance_positions (ambulance_id, recorded_at, received_at, position,"
            " input_crs) VALUES (:amb, :at, :at, ST_SetSRID(ST_MakePoint(114.9, 33.4), 4326),"
            " 'wgs84') RETURNING id"
        ),
        {"amb": AMBULANCE, "at": received_at},
    )
    assert found is not None
    return int(found)


async def _home(connection: AsyncConnection, fix_id: int) -> str | None:
    """The partition a fix is stored in (None: not there)."""
    found = await connection.scalar(
        text("SELECT tableoid::regclass::text FROM ambulance_positions WHERE id = :id"),
        {"id": fix_id},
    )
    return None if found is None else str(found)


async def test_a_fix_recorded_through_the_service_lands_in_this_month_s_partition(
    db: AsyncSession, connection: AsyncConnection
) -> None:
    """The track writer (the positions endpoint's write) stores the fix in the partition of
    the month the server received it."""
    now = datetime.now(UTC)
    fix = units_service.Fix(114.91, 33.46, "wgs84", now, 30.0, 90.0)
    await write_reports(db, [Report(AMBULANCE, [fix], None)], UnitHooks())
    received = await connection.scalar(text("SELECT now()"))
    homes = await connection.scalars(
        text(
            "SELECT tableoid::regclass::text FROM ambulance_positions"
            " WHERE ambulance_id = :amb AND recorded_at = :at"
        ),
        {"amb": AMBULANCE, "at": now},
    )
    assert [Month.of(received).name] == list(homes)


async def test_the_upkeep_makes_months_ahead_moves_stranded_fixes_and_drops_expired_ones(
    connection: AsyncConnection,
) -> None:
    """Two years on, with a fix stranded in DEFAULT (no month made for it) and one expired:
    the months ahead are made, the stranded fix moves into its new month with its id, the
    months older than 13 months are dropped with their fixes, and a second run does nothing."""
    now = datetime.now(UTC)
    later = add_months(now, 24)
    old_fix = await _fix_at(connection, now)  # this month's: 24 months old by then
    stranded = await _fix_at(connection, later - timedelta(days=3))  # beyond the months made
    assert "ambulance_positions_default" == await _home(connection, stranded)
    expired_in_default = await _fix_at(connection, add_months(now, 6))
    assert "ambulance_positions_default" == await _home(connection, expired_in_default)

    done = await maintain(connection, later, retention_months=13, months_ahead=3)

    names = await partitions(connection)
    for k in range(4):
        assert Month.of(add_months(later, k)).name in names
    assert Month.of(later - timedelta(days=3)).name == await _home(connection, stranded)
    assert Month.of(now).name in done.dropped
    assert Month.of(now).name not in names
    assert await _home(connection, old_fix) is None
    assert await _home(connection, expired_in_default) is None
    assert 1 == done.deleted_rows
    assert 1 <= done.moved_rows
    assert all(Month.named(name).ends > add_months(later, -13) for name in done.created)  # type: ignore[union-attr]

    again = await maintain(connection, later, retention_months=13, months_ahead=3)
    assert ([], [], 0, 0) == (again.created, again.dropped, again.moved_rows, again.deleted_rows)


async def test_a_fix_far_beyond_the_months_made_is_kept_not_refused(
    connection: AsyncConnection,
) -> None:
    """A fix received when no month partition exists (the upkeep stopped for years) goes to
    the DEFAULT partition: never refused, never lost."""
    fix = await _fix_at(connection, add_months(datetime.now(UTC), 60))
    assert "ambulance_positions_default" == await _home(connection, fix)


async def test_the_track_keeps_its_key_index_and_foreign_key_in_every_month(
    connection: AsyncConnection,
) -> None:
    """A month made by the upkeep has the track index, the key and the cascade to the
    ambulance, like the months the migration made."""
    later = add_months(datetime.now(UTC), 30)
    done = await maintain(connection, later, retention_months=13, months_ahead=1)
    made = done.created[-1]
    indexes = await connection.scalars(
        text("SELECT indexdef FROM pg_indexes WHERE tablename = :name ORDER BY indexdef"),
        {"name": made},
    )
    definitions = " | ".join(indexes)
    assert "(ambulance_id, recorded_at)" in definitions
    assert "UNIQUE INDEX" in definitions
    assert "(id, received_at)" in definitions
    cascade = await connection.scalar(
        text(
            "SELECT confdeltype::text FROM pg_constraint WHERE conrelid = CAST(:name AS regclass)"
            " AND contype = 'f'"
        ),
        {"name": made},
    )
    assert "c" == cascade
