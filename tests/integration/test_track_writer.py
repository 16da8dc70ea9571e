"""The GPS track writer's batch (units/track_writer.py) on a real PostGIS: several requests'
fixes in one transaction, each with who reported it; an ambulance moved only by a newer fix;
an unknown ambulance is its own request's 404 while the others are written."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from units.exceptions import NotFound
from units.hooks import UnitHooks
from units.models import Ambulance
from units.service import Fix
from units.track_writer import Accepted, Report, write_reports


def _fix(lon: float, lat: float, at: datetime) -> Fix:
    return Fix(lon, lat, "wgs84", at, 40.0, 90.0)


async def test_a_batch_writes_every_request_s_fixes_and_moves_each_ambulance_once(
    db: AsyncSession,
) -> None:
    """amb-01 twice (the second report older: written, not moved), amb-02 a batch of two,
    and an unknown ambulance (NotFound for it alone): one call, the outcomes in order."""
    now = datetime.now(UTC)
    reports = [
        Report("amb-01", [_fix(114.90, 33.40, now - timedelta(seconds=10))], 11),
        Report(
            "amb-02",
            [
                _fix(114.91, 33.41, now - timedelta(seconds=30)),
                _fix(114.92, 33.42, now - timedelta(seconds=20)),
            ],
            12,
        ),
        Report("amb-99-unknown", [_fix(114.93, 33.43, now)], 13),
        Report("amb-01", [_fix(114.95, 33.45, now - timedelta(seconds=50))], 11),
    ]
    before = await db.scalar(text("SELECT count(*) FROM ambulance_positions"))
    outcomes = await write_reports(db, reports, UnitHooks())
    assert Accepted("amb-01", 1, now - timedelta(seconds=10), True) == outcomes[0]
    assert Accepted("amb-02", 2, now - timedelta(seconds=20), True) == outcomes[1]
    assert isinstance(outcomes[2], NotFound)
    assert Accepted("amb-01", 1, now - timedelta(seconds=10), False) == outcomes[3]
    assert before + 4 == await db.scalar(text("SELECT count(*) FROM ambulance_positions"))
    rows = (
        await db.execute(
            text(
                "SELECT ambulance_id, reported_by, ST_X(position) FROM ambulance_positions"
                " ORDER BY id DESC LIMIT 4"
            )
        )
    ).all()
    assert sorted(
        [
            ("amb-01", 11, 114.90),
            ("amb-02", 12, 114.91),
            ("amb-02", 12, 114.92),
            ("amb-01", 11, 114.95),
        ]
    ) == sorted((a, b, round(x, 6)) for a, b, x in rows)
    moved = (
        await db.execute(
            text(
                "SELECT id, ST_X(position), position_at FROM ambulances"
                " WHERE id IN ('amb-01', 'amb-02') ORDER BY id"
            )
        )
    ).all()
    assert [
        ("amb-01", 114.90, now - timedelta(seconds=10)),
        ("amb-02", 114.92, now - timedelta(seconds=20)),
    ] == [(i, round(x, 6), at) for i, x, at in moved]


async def test_the_position_listeners_run_for_the_ambulances_that_moved_only(
    db: AsyncSession,
) -> None:
    """The ETA listener gets each moved ambulance once, at its new position; one whose only
    fix is older than its last is not given to it."""
    now = datetime.now(UTC)
    seen: list[tuple[str, datetime | None]] = []

    async def listener(_db: AsyncSession, ambulance: Ambulance) -> None:
        seen.append((ambulance.id, ambulance.position_at))

    await write_reports(db, [Report("amb-03", [_fix(114.9, 33.4, now)], None)], UnitHooks())
    reports = [
        Report("amb-03", [_fix(114.9, 33.4, now - timedelta(minutes=1))], None),
        Report("amb-04", [_fix(114.9, 33.4, now)], None),
    ]
    await write_reports(db, reports, UnitHooks(on_position=[listener]))
    assert [("amb-04", now)] == seen
