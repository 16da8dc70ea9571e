"""User accounts: adding users and checking passwords."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from units.exceptions import Conflict, NotAuthenticated, NotFound
from units.models import Ambulance, Facility, User
from units.security import hash_password, verify_password
from units.vocabulary import FACILITY_ROLES, ROLES, Role

# Verifying against a real hash when the user is unknown keeps the answer time the same.
_UNKNOWN_USER_HASH = hash_password("unknown-user-placeholder")


async def authenticate(db: AsyncSession, username: str, password: str) -> User:
    """The active user with this name and password, else NotAuthenticated (same message)."""
    user = await db.scalar(select(User).where(User.username == username))
    stored = user.password_hash if user is not None else _UNKNOWN_USER_HASH
    if not verify_password(stored, password) or user is None or not user.active:
        raise NotAuthenticated("wrong username or password")
    return user


async def add_user(
    db: AsyncSession,
    username: str,
    password: str,
    role: str,
    facility_id: str | None = None,
    ambulance_id: str | None = None,
    display_name: str = "",
    replace: bool = False,
) -> User:
    """Create a user (or, with ``replace``, reset an existing one), checking its ties."""
    if role not in ROLES:
        raise ValueError(f"unknown role {role!r}: use one of {', '.join(ROLES)}")
    if role in FACILITY_ROLES and not facility_id:
        raise ValueError(f"the {role} role needs --facility")
    if role == Role.crew and not ambulance_id:
        raise ValueError("the crew role needs --ambulance")
    if facility_id and await db.get(Facility, facility_id) is None:
        raise NotFound("facility", facility_id)
    if ambulance_id and await db.get(Ambulance, ambulance_id) is None:
        raise NotFound("ambulance", ambulance_id)
    user = await db.scalar(select(User).where(User.username == username))
    if user is not None and not replace:
        raise Conflict(f"a user named {username!r} already exists")
    if user is None:
        user = User(username=username)
        db.add(user)
    user.password_hash = hash_password(password)
    user.role = role
    user.facility_id = facility_id
    user.ambulance_id = ambulance_id
    user.display_name = display_name or username
    user.active = True
    await db.flush()
    return user
