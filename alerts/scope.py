"""Who may follow which stream."""

from __future__ import annotations

from alerts import stream
from units.exceptions import Forbidden
from units.models import User

OVERSEERS = ("admin", "dispatcher", "auditor")


def require_stream_reader(user: User, name: str) -> None:
    """A facility's team follows its own stream; dispatchers, auditors and admins any stream."""
    if user.role in OVERSEERS:
        return
    if (
        user.role in ("cathlab", "township")
        and user.facility_id is not None
        and name == stream.facility_stream(user.facility_id)
    ):
        return
    raise Forbidden(f"the {user.role} role may not follow {name}")
