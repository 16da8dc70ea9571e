"""Who may do what: pure checks on a user's role and its facility or ambulance.

The roles and their groups come from ``units.vocabulary``; no check spells a role by hand.
"""

from __future__ import annotations

from collections.abc import Collection

from units.exceptions import Forbidden
from units.models import User
from units.vocabulary import COORDINATOR_ROLES, FACILITY_ROLES, Role

# Who sets any ambulance's status (the crew sets their own).
STATUS_SETTERS = COORDINATOR_ROLES


def require_role(user: User, roles: Collection[str], action: str) -> None:
    """Forbidden unless the user's role is one of ``roles``."""
    if user.role not in roles:
        raise Forbidden(f"the {user.role} role may not {action}")


def of_facility(user: User, facility_id: str | None) -> bool:
    """Whether the user is on the team of that facility (a township or cath-lab user of it)."""
    return (
        user.role in FACILITY_ROLES
        and user.facility_id is not None
        and user.facility_id == facility_id
    )


def of_ambulance(user: User, ambulance_id: str | None) -> bool:
    """Whether the user is the crew of that ambulance."""
    return (
        user.role == Role.crew
        and user.ambulance_id is not None
        and user.ambulance_id == ambulance_id
    )


def require_facility_editor(user: User, facility_id: str) -> None:
    """Only an admin, or a township or cath-lab user of that very facility, edits a facility."""
    if user.role == Role.admin or of_facility(user, facility_id):
        return
    raise Forbidden(f"the {user.role} role may not edit facility {facility_id!r}")


def require_ambulance_reporter(
    user: User,
    ambulance_id: str,
    action: str,
    others: Collection[str] = frozenset({Role.admin}),
) -> None:
    """Crew act only for their own ambulance; the roles in ``others`` for any."""
    if user.role in others or of_ambulance(user, ambulance_id):
        return
    raise Forbidden(f"the {user.role} role may not {action} for ambulance {ambulance_id!r}")
