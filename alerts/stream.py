"""The durable per-facility stream: every alert event is a numbered frame, committed in the same
transaction as the change it reports. NOTIFY carries only the stream name and the sequence
number (a doorbell, delivered at commit); the frames themselves are always read from the table.

Streams are named ``facility:<id>`` (what a receiving team's screen and a sender's field app
follow), ``dispatch`` (the dispatcher console: every alert, and the escalations) and
``ambulance:<id>`` (an ambulance crew's tablet: the missions it is dispatched to and released
from; its frames carry the case as ``mission`` and belong to no alert) and ``ecg`` (the county's
ECG readers). ``ecg.*`` frames carry an ECG as ``ecg`` (the readers' stream, and the reading
back on the sender's facility or ambulance stream). ``drill.*`` frames carry a drill as
``drill`` (the drilled unit's stream and the dispatchers').
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncSession

from alerts.models import StreamEvent, StreamHead

CHANNEL = "alert_stream"
DISPATCH_STREAM = "dispatch"
# The county ECG centre's readers: tracings arriving for reading, and readings recorded.
ECG_STREAM = "ecg"


def facility_stream(facility_id: str) -> str:
    """The stream a facility's screens follow."""
    return f"facility:{facility_id}"


AMBULANCE_PREFIX = "ambulance:"


def ambulance_stream(ambulance_id: str) -> str:
    """The stream an ambulance crew's tablet follows (its missions)."""
    return f"{AMBULANCE_PREFIX}{ambulance_id}"


_APPEND = text(
    """
    WITH heads AS (
        INSERT INTO alert_stream_heads (stream, epoch, last_seq)
        SELECT name, floor(random() * 2147483646)::bigint + 1, 1
        FROM unnest(CAST(:streams AS text[])) AS s(name)
        ORDER BY name
        ON CONFLICT (stream) DO UPDATE SET last_seq = alert_stream_heads.last_seq + 1
        RETURNING stream, last_seq, epoch
    ), frames AS (
        INSERT INTO alert_stream (stream, seq, epoch, type, alert_id, payload)
        SELECT stream, last_seq, epoch, :type, :alert_id, CAST(:payload AS jsonb) FROM heads
        RETURNING stream, seq, epoch, created_at
    )
    SELECT stream, seq, epoch, created_at, pg_notify(:channel, stream || ' ' || seq) AS rung
    FROM frames
    """
)


async def append(
    db: AsyncSession,
    streams: Sequence[str],
    frame_type: str,
    alert_id: int | None,
    payload: dict[str, Any],
) -> list[StreamEvent]:
    """Add one frame to each stream and ring each bell, in one statement.

    Each stream's seq is its head's last + 1, taken under the head's row lock; heads are locked
    in name order, so two senders sharing streams cannot deadlock. The frames come back in the
    order of ``streams``.
    """
    rows = (
        await db.execute(
            _APPEND,
            {
                "streams": list(streams),
                "type": frame_type,
                "alert_id": alert_id,
                "payload": json.dumps(payload, ensure_ascii=False),
                "channel": CHANNEL,
            },
        )
    ).all()
    by_stream = {
        row.stream: StreamEvent(
            stream=row.stream,
            seq=int(row.seq),
            epoch=int(row.epoch),
            type=frame_type,
            alert_id=alert_id,
            payload=payload,
            created_at=row.created_at,
        )
        for row in rows
    }
    return [by_stream[name] for name in streams]


async def head(db: AsyncSession, stream: str) -> tuple[int, int]:
    """(epoch, last seq) of a stream; (0, 0) before its first frame."""
    found = await db.get(StreamHead, stream)
    return (0, 0) if found is None else (int(found.epoch), int(found.last_seq))


async def frames_after(
    db: AsyncSession, stream: str, since: int, limit: int = 500
) -> Sequence[StreamEvent]:
    """Frames after ``since``, in order (at most ``limit``)."""
    return (
        await db.scalars(
            select(StreamEvent)
            .where(StreamEvent.stream == stream, StreamEvent.seq > since)
            .order_by(StreamEvent.seq)
            .limit(limit)
        )
    ).all()


_FRAMES_AFTER_MANY = text(
    "SELECT e.stream, e.seq, e.epoch, e.type, e.payload"
    " FROM unnest(CAST(:names AS text[]), CAST(:after AS bigint[])) AS s(name, after)"
    " CROSS JOIN LATERAL (SELECT * FROM alert_stream a"
    " WHERE a.stream = s.name AND a.seq > s.after ORDER BY a.seq LIMIT :limit) e"
    " ORDER BY e.stream, e.seq"
)


async def frames_after_many(
    db: AsyncSession, since: Mapping[str, int], limit: int = 500
) -> dict[str, list[dict[str, Any]]]:
    """For each stream, its frames (as ``frame`` makes them) after its own ``since``, in order
    (at most ``limit`` each): one statement however many streams a process serves (a tablet
    per ambulance is thousands), read as rows, not as objects of the session."""
    if not since:
        return {}
    names = list(since)
    parameters = {"names": names, "after": [since[n] for n in names], "limit": limit}
    found: dict[str, list[dict[str, Any]]] = {}
    for row in await db.execute(_FRAMES_AFTER_MANY, parameters):
        found.setdefault(row.stream, []).append(
            _frame(row.stream, row.seq, row.epoch, row.type, row.payload)
        )
    return found


def frame(event: StreamEvent) -> dict[str, Any]:
    """The frame as clients receive it: ``{seq, epoch, type, alert, stream}`` (``mission``
    instead of ``alert`` on a crew's stream, ``ecg`` for an ECG's frames, ``drill`` for a
    drill's: ``drill.started``, ``drill.ended``, ``drill.cancelled``)."""
    return _frame(event.stream, event.seq, event.epoch, event.type, event.payload)


def _frame(name: str, seq: int, epoch: int, frame_type: str, payload: Any) -> dict[str, Any]:
    kind = frame_type.partition(".")[0]
    key = kind if kind in ("mission", "ecg", "drill") else "alert"
    return {"seq": seq, "epoch": epoch, "type": frame_type, key: payload, "stream": name}
