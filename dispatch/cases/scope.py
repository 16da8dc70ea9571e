"""Who may see, stamp, dispatch and change a case. Pure checks on the user and the case."""

from __future__ import annotations

from collections.abc import Collection

from units import scope as units_scope
from units.exceptions import Forbidden
from units.models import User
from units.vocabulary import (
    ACTING_ROLES,
    COORDINATOR_ROLES,
    READ_EVERYTHING_ROLES,
    RECORD_ANYWHERE_ROLES,
)

CREATORS = ACTING_ROLES
READ_ALL = READ_EVERYTHING_ROLES
WRITE_ALL = COORDINATOR_ROLES
# Change any case (within write_scope's rules for each stamp): dispatch, admins, data managers.
CHANGE_ANY = COORDINATOR_ROLES | RECORD_ANYWHERE_ROLES


def involved(user: User, ambulance_id: str | None, facility_ids: Collection[str]) -> bool:
    """Whether the case concerns the user's own ambulance or facility."""
    if units_scope.of_ambulance(user, ambulance_id):
        return True
    return any(units_scope.of_facility(user, facility_id) for facility_id in facility_ids)


def require_read(user: User, ambulance_id: str | None, facility_ids: Collection[str]) -> None:
    """Auditors, dispatchers and admins read every case; others the cases they are part of."""
    if user.role in READ_ALL or involved(user, ambulance_id, facility_ids):
        return
    raise Forbidden("this case does not concern your ambulance or facility")


def require_write(user: User, ambulance_id: str | None, facility_ids: Collection[str]) -> None:
    """Stamping and changing a case: dispatchers, admins and data managers, or the crew and
    units on it (what each may stamp where: ``write_scope``)."""
    if user.role in CHANGE_ANY or involved(user, ambulance_id, facility_ids):
        return
    raise Forbidden(f"the {user.role} role may not change this case")


def require_creator(user: User) -> None:
    if user.role not in CREATORS:
        raise Forbidden(f"the {user.role} role may not open cases")


def require_dispatcher(user: User) -> None:
    if user.role not in WRITE_ALL:
        raise Forbidden(f"only a dispatcher may dispatch ambulances, not the {user.role} role")
