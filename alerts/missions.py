"""An ambulance crew's missions on its own durable stream (``ambulance:<id>``).

Dispatching an ambulance to a case appends a ``mission.assigned`` frame to the ambulance's
stream in the dispatch's own transaction (committed with it, or not at all); releasing it
(status ``available``) appends ``mission.released``. The crew's tablet follows the stream like
a wall screen follows its facility's (``alerts/ws.py``): replay after its last seq, then live
frames, each once. The payload (the case as the crew needs it) is built by the caller.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from alerts import stream
from alerts.models import StreamEvent

ASSIGNED = "mission.assigned"
RELEASED = "mission.released"


async def publish(
    db: AsyncSession, ambulance_id: str, frame_type: str, mission: dict[str, Any]
) -> StreamEvent:
    """Append one mission frame to the ambulance's stream (and ring its doorbell)."""
    frames = await stream.append(
        db, [stream.ambulance_stream(ambulance_id)], frame_type, None, mission
    )
    return frames[0]
