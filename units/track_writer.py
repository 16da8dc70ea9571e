"""The GPS track's writer: the fixes of concurrent requests in one transaction (issue 17).

``TrackWriter.submit`` is what ``POST /ambulances/{id}/positions`` calls once the fixes are
checked: it waits for the group commit (``units.group_commit``) that writes them. One batch is
one transaction: the batch's ambulances locked in id order (the order every batch takes, so
two processes' batches never deadlock; a status change locks one ambulance), one statement
appending every fix with who reported it and moving every ambulance whose newest fix is newer
than its last, the position listeners (the case's ETA) for the ambulances that moved, then the
commit. A fix for an ambulance that does not exist is that request's 404 alone.

The batches use their own small connection pool (``sessions``): the requests waiting for a
batch each hold a connection of the main pool (their sign-in check), so a writer drawing on the
same pool could wait for a connection they will only give back once it has written.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import cast

from fastapi import Request
from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.orm.attributes import set_committed_value

from units.exceptions import NotFound
from units.group_commit import GroupCommit
from units.hooks import UnitHooks
from units.models import Ambulance
from units.service import Fix, wgs84_point

MAX_BATCH = 256  # requests per transaction (each holds at most INFOFIRST_MAX_POSITIONS_PER_BATCH)

# Every fix appended, every ambulance that moved moved: one statement. Points are made in
# PostgreSQL from plain numbers, so no geometry object is built per fix in Python.
_APPEND_AND_MOVE = """
WITH appended AS (
  INSERT INTO ambulance_positions
    (ambulance_id, recorded_at, position, input_crs, speed_kmh, heading, reported_by)
  SELECT f.ambulance_id, f.recorded_at, ST_SetSRID(ST_MakePoint(f.lon, f.lat), 4326), f.crs,
         f.speed_kmh, f.heading, f.reported_by
  FROM unnest(CAST(:ambulance_id AS text[]), CAST(:recorded_at AS timestamptz[]),
              CAST(:lon AS float8[]), CAST(:lat AS float8[]), CAST(:crs AS text[]),
              CAST(:speed_kmh AS float8[]), CAST(:heading AS float8[]),
              CAST(:reported_by AS integer[]))
       AS f(ambulance_id, recorded_at, lon, lat, crs, speed_kmh, heading, reported_by)
  RETURNING 1
)
UPDATE ambulances AS a
SET position = ST_SetSRID(ST_MakePoint(m.lon, m.lat), 4326), position_at = m.recorded_at,
    speed_kmh = m.speed_kmh, heading = m.heading
FROM unnest(CAST(:moved_id AS text[]), CAST(:moved_lon AS float8[]),
            CAST(:moved_lat AS float8[]), CAST(:moved_at AS timestamptz[]),
            CAST(:moved_speed_kmh AS float8[]), CAST(:moved_heading AS float8[]))
     AS m(id, lon, lat, recorded_at, speed_kmh, heading)
WHERE a.id = m.id
"""


@dataclass(frozen=True)
class Report:
    """One request's fixes: for which ambulance, reported by whom (a user id)."""

    ambulance_id: str
    fixes: Sequence[Fix]
    reported_by: int | None


@dataclass(frozen=True)
class Accepted:
    """What the request is told once its fixes are committed."""

    ambulance_id: str
    accepted: int
    position_at: datetime | None
    moved: bool


class TrackWriter:
    def __init__(
        self,
        sessions: Callable[[], async_sessionmaker[AsyncSession]],
        hooks: Callable[[], UnitHooks],
        max_batch: int = MAX_BATCH,
    ) -> None:
        self._sessions = sessions
        self._hooks = hooks
        self.group: GroupCommit[Report, Accepted] = GroupCommit(self._write, max_batch)

    async def submit(self, report: Report) -> Accepted:
        """``report``'s fixes written and committed (with the other requests' of its batch)."""
        return await self.group.submit(report)

    async def _write(self, reports: list[Report]) -> list[Accepted | Exception]:
        async with self._sessions()() as db, db.begin():
            return await write_reports(db, reports, self._hooks())


def track_writer(request: Request) -> TrackWriter:
    """The app's track writer."""
    return cast(TrackWriter, request.app.state.track_writer)


async def write_reports(
    db: AsyncSession, reports: Sequence[Report], hooks: UnitHooks
) -> list[Accepted | Exception]:
    """The batch in ``db``'s transaction: each report's outcome, in order."""
    ids = sorted({report.ambulance_id for report in reports})
    ambulances = {
        ambulance.id: ambulance
        for ambulance in await db.scalars(
            select(Ambulance).where(Ambulance.id.in_(ids)).order_by(Ambulance.id).with_for_update()
        )
    }
    rows = _Rows()
    outcomes: list[Accepted | Exception] = []
    last = {ambulance.id: ambulance.position_at for ambulance in ambulances.values()}
    newest: dict[str, Fix] = {}  # of the ambulances that moved
    for report in reports:
        if report.ambulance_id not in ambulances:
            outcomes.append(NotFound("ambulance", report.ambulance_id))
            continue
        rows.add(report)
        fix = max(report.fixes, key=lambda f: f.recorded_at)
        before = last[report.ambulance_id]
        moved = before is None or fix.recorded_at > before
        if moved:
            newest[report.ambulance_id] = fix
            last[report.ambulance_id] = fix.recorded_at
        outcomes.append(
            Accepted(report.ambulance_id, len(report.fixes), last[report.ambulance_id], moved)
        )
    if rows.ambulance_id:
        await db.execute(text(_APPEND_AND_MOVE), rows.parameters(newest))
    for ambulance_id, fix in newest.items():
        ambulance = ambulances[ambulance_id]
        set_committed_value(ambulance, "position", wgs84_point(fix.lon, fix.lat))
        set_committed_value(ambulance, "position_at", fix.recorded_at)
        set_committed_value(ambulance, "speed_kmh", fix.speed_kmh)
        set_committed_value(ambulance, "heading", fix.heading)
        for listener in hooks.on_position:
            await listener(db, ambulance)
    return outcomes


class _Rows:
    """The batch's fixes as columns (the statement's arrays)."""

    def __init__(self) -> None:
        self.ambulance_id: list[str] = []
        self.recorded_at: list[datetime] = []
        self.lon: list[float] = []
        self.lat: list[float] = []
        self.crs: list[str] = []
        self.speed_kmh: list[float | None] = []
        self.heading: list[float | None] = []
        self.reported_by: list[int | None] = []

    def add(self, report: Report) -> None:
        for fix in report.fixes:
            self.ambulance_id.append(report.ambulance_id)
            self.recorded_at.append(fix.recorded_at)
            self.lon.append(fix.lon)
            self.lat.append(fix.lat)
            self.crs.append(fix.crs)
            self.speed_kmh.append(fix.speed_kmh)
            self.heading.append(fix.heading)
            self.reported_by.append(report.reported_by)

    def parameters(self, moved: dict[str, Fix]) -> dict[str, object]:
        return {
            **vars(self),
            "moved_id": list(moved),
            "moved_lon": [fix.lon for fix in moved.values()],
            "moved_lat": [fix.lat for fix in moved.values()],
            "moved_at": [fix.recorded_at for fix in moved.values()],
            "moved_speed_kmh": [fix.speed_kmh for fix in moved.values()],
            "moved_heading": [fix.heading for fix in moved.values()],
        }
