"""Who may do what: pure checks on a user's role and its facility or ambulance."""

from __future__ import annotations

from units.exceptions import Forbidden
from units.models import User

READERS = ("admin", "dispatcher", "crew", "township", "cathlab", "auditor")
STATUS_SETTERS = ("admin", "dispatcher")


def require_role(user: User, roles: tuple[str, ...], action: str) -> None:
    """Forbidden unless the user's role is one of ``roles``."""
    if user.role not in roles:
        raise Forbidden(f"the {user.role} role may not {action}")


def require_facility_editor(user: User, facility_id: str) -> None:
    """Only an admin, or a township or cath-lab user of that very facility, edits a facility."""
    if user.role == "admin":
        return
    if user.role in ("township", "cathlab") and user.facility_id == facility_id:
        return
    raise Forbidden(f"the {user.role} role may not edit facility {facility_id!r}")


def require_ambulance_reporter(
    user: User, ambulance_id: str, action: str, others: tuple[str, ...] = ("admin",)
) -> None:
    """Crew act only for their own ambulance; the roles in ``others`` for any."""
    if user.role in others:
        return
    if user.role == "crew" and user.ambulance_id == ambulance_id:
        return
    raise Forbidden(f"the {user.role} role may not {action} for ambulance {ambulance_id!r}")
