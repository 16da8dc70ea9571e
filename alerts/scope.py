"""Who may follow which stream."""

from __future__ import annotations

from alerts import stream
from units import scope as units_scope
from units.exceptions import Forbidden
from units.models import User
from units.vocabulary import READ_EVERYTHING_ROLES, Role

# Who follows every stream and sees every alert.
OVERSEERS = READ_EVERYTHING_ROLES


def require_stream_reader(user: User, name: str) -> None:
    """A facility's team follows its own stream, a crew its own ambulance's, the ECG readers
    theirs; dispatchers, auditors and admins any stream."""
    if user.role in OVERSEERS:
        return
    if user.role == Role.ecg_reader and name == stream.ECG_STREAM:
        return
    crew_of = user.ambulance_id
    if (
        crew_of
        and units_scope.of_ambulance(user, crew_of)
        and name == stream.ambulance_stream(crew_of)
    ):
        return
    own = user.facility_id
    if (
        own is not None
        and units_scope.of_facility(user, own)
        and name == stream.facility_stream(own)
    ):
        return
    raise Forbidden(f"the {user.role} role may not follow {name}")
