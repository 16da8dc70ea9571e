"""The durable per-facility stream: every alert event is a numbered frame, committed in the same
transaction as the change it reports. NOTIFY carries only the stream name and the sequence
number (a doorbell, delivered at commit); the frames themselves are always read from the table.

Streams are named ``facility:<id>`` (what a receiving team's screen and a sender's field app
follow) and ``dispatch`` (the dispatcher console: every alert, and the escalations).
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from typing import Any

from sqlalchemy import select, text
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from alerts.models import StreamEvent, StreamHead

CHANNEL = "alert_stream"
DISPATCH_STREAM = "dispatch"


def facility_stream(facility_id: str) -> str:
    """The stream a facility's screens follow."""
    return f"facility:{facility_id}"


async def append(
    db: AsyncSession, stream: str, frame_type: str, alert_id: int, payload: dict[str, Any]
) -> StreamEvent:
    """Add a frame to the stream (seq = last + 1, under the head's row lock) and ring the bell."""
    await db.execute(
        insert(StreamHead)
        .values(stream=stream, epoch=secrets.randbelow(2**31 - 1) + 1, last_seq=0)
        .on_conflict_do_nothing(index_elements=[StreamHead.stream])
    )
    row = (
        await db.execute(
            text(
                "UPDATE alert_stream_heads SET last_seq = last_seq + 1 WHERE stream = :stream"
                " RETURNING last_seq, epoch"
            ),
            {"stream": stream},
        )
    ).one()
    event = StreamEvent(
        stream=stream,
        seq=int(row.last_seq),
        epoch=int(row.epoch),
        type=frame_type,
        alert_id=alert_id,
        payload=payload,
    )
    db.add(event)
    await db.flush()
    await db.execute(
        text("SELECT pg_notify(:channel, :message)"),
        {"channel": CHANNEL, "message": f"{stream} {event.seq}"},
    )
    return event


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


def frame(event: StreamEvent) -> dict[str, Any]:
    """The frame as clients receive it: ``{seq, epoch, type, alert, stream}``."""
    return {
        "seq": event.seq,
        "epoch": event.epoch,
        "type": event.type,
        "alert": event.payload,
        "stream": event.stream,
    }
