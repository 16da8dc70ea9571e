"""User accounts: adding users and checking passwords."""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from units.exceptions import Conflict, NotAuthenticated, NotFound
from units.models import Ambulance, Facility, User
from units.security import hash_password, verify_password
from units.sessions import EndedBy, revoke_all
from units.vocabulary import FACILITY_ROLES, ROLES, Role

# The synthetic demo county's passwords (dispatch/demo/load.py uses one of them): a user with
# one is flagged, and a production server refuses to start while an active user has one.
DEMO_PASSWORDS = frozenset({"demo"})
MIN_PASSWORD_LENGTH = 10


def password_problem(username: str, password: str) -> str | None:
    """Why a new password is refused (too short, the username, a demo password), or None."""
    if len(password) < MIN_PASSWORD_LENGTH:
        return f"a password needs at least {MIN_PASSWORD_LENGTH} characters"
    if password.casefold() == username.casefold():
        return "a password must not be the username"
    if password in DEMO_PASSWORDS:
        return "a demo password cannot be chosen"
    return None


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
    else:  # a reset: whoever was signed in as this user must sign in again
        await revoke_all(db, user.id, EndedBy.password_reset, datetime.now(UTC))
    user.password_hash = hash_password(password)
    user.demo_password = password in DEMO_PASSWORDS
    user.role = role
    user.facility_id = facility_id
    user.ambulance_id = ambulance_id
    user.display_name = display_name or username
    user.active = True
    await db.flush()
    return user


async def set_active(db: AsyncSession, username: str, active: bool) -> tuple[User, int]:
    """Enable or disable a user; disabling ends every open session. The user and how many
    sessions were ended."""
    user = await db.scalar(select(User).where(User.username == username))
    if user is None:
        raise NotFound("user", username)
    user.active = active
    ended = 0 if active else await revoke_all(db, user.id, EndedBy.user_disabled, datetime.now(UTC))
    await db.flush()
    return user, ended


def has_demo_password(password_hash: str) -> bool:
    """Whether a stored hash verifies one of the demo passwords (argon2: CPU-bound, slow)."""
    return any(verify_password(password_hash, password) for password in DEMO_PASSWORDS)


# argon2 releases the GIL: a few threads check a county's users in parallel at start.
_STARTUP_CHECK_THREADS = 4


async def demo_password_users(db: AsyncSession) -> list[str]:
    """The active users whose password is a demo password (refused in production): those
    flagged when their password was set, and any other whose hash verifies a demo password
    (a password set outside this service), checked off the event loop."""
    rows = (
        await db.execute(
            select(User.username, User.password_hash, User.demo_password).where(User.active)
        )
    ).all()
    found = {name for name, _, flagged in rows if flagged}
    unflagged = [(name, stored) for name, stored, flagged in rows if not flagged]
    if unflagged:
        with ThreadPoolExecutor(_STARTUP_CHECK_THREADS, "demo-password-check") as pool:
            loop = asyncio.get_running_loop()
            checks = [loop.run_in_executor(pool, has_demo_password, h) for _, h in unflagged]
            verdicts = await asyncio.gather(*checks)
        found.update(name for (name, _), demo in zip(unflagged, verdicts, strict=True) if demo)
    return sorted(found)
