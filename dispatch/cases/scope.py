"""Who may see, stamp, dispatch and change a case. Pure checks on the user and the case."""

from __future__ import annotations

from collections.abc import Collection

from units.exceptions import Forbidden
from units.models import User

CREATORS = ("admin", "dispatcher", "township", "crew", "cathlab")
READ_ALL = ("admin", "dispatcher", "auditor")
WRITE_ALL = ("admin", "dispatcher")


def involved(user: User, ambulance_id: str | None, facility_ids: Collection[str]) -> bool:
    """Whether the case concerns the user's own ambulance or facility."""
    if user.role == "crew":
        return user.ambulance_id is not None and user.ambulance_id == ambulance_id
    if user.role in ("township", "cathlab"):
        return user.facility_id is not None and user.facility_id in facility_ids
    return False


def require_read(user: User, ambulance_id: str | None, facility_ids: Collection[str]) -> None:
    """Auditors, dispatchers and admins read every case; others the cases they are part of."""
    if user.role in READ_ALL or involved(user, ambulance_id, facility_ids):
        return
    raise Forbidden("this case does not concern your ambulance or facility")


def require_write(user: User, ambulance_id: str | None, facility_ids: Collection[str]) -> None:
    """Stamping and changing a case: dispatchers and admins, or the crew and units on it."""
    if user.role in WRITE_ALL or involved(user, ambulance_id, facility_ids):
        return
    raise Forbidden(f"the {user.role} role may not change this case")


def require_creator(user: User) -> None:
    if user.role not in CREATORS:
        raise Forbidden(f"the {user.role} role may not open cases")


def require_dispatcher(user: User) -> None:
    if user.role not in WRITE_ALL:
        raise Forbidden(f"only a dispatcher may dispatch ambulances, not the {user.role} role")
