"""The ECG readers' rota (issue 16: "cardiologists on a rota"): who is on duty to read the
tracings the townships send, and so who an unread ECG escalates to.

A shift is one reader's half-open interval [starts_at, ends_at): on duty from its start up to,
not including, its end, so a reading made exactly at ``ends_at`` belongs to the next shift (the
reader's own next shift if it starts then; otherwise it was made off the rota). A shift lasts at
most ``MAX_SHIFT`` (24 h, the longest on-call duty the rota allows); one reader's shifts never
overlap (checked here for a clear 409, and by migration 0030's exclusion constraint against two
writes racing). Only the admin writes the rota (the ECG centre lead's account: no separate lead
role exists); readers and the overseers read it.

The label (day or night) is where the shift starts on the local clock: from 07:00 up to 19:00 a
day shift, else a night shift — the two halves a chest-pain centre compares in its audit.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from alerts.exceptions import RotaOverlap, RotaRejected
from alerts.models import EcgRotaShift
from units.exceptions import Conflict, Forbidden, NotFound
from units.models import User
from units.vocabulary import READ_EVERYTHING_ROLES, Role

MAX_SHIFT = timedelta(hours=24)
DAY_STARTS, NIGHT_STARTS = time(7, 0), time(19, 0)
# Who writes the rota: the admin (standing in for the ECG centre lead); who reads it.
ROTA_WRITERS = frozenset({Role.admin})
ROTA_READERS = READ_EVERYTHING_ROLES | {Role.ecg_reader}


@dataclass(frozen=True)
class Recipients:
    """Who an unread ECG escalates to: the readers on duty, or every reader when none is."""

    readers: tuple[str, ...]
    on_duty: bool  # False: nobody was on duty, so every active reader is told


def shift_label(starts_at: datetime, time_zone: str) -> str:
    """``day`` for a shift starting from 07:00 up to 19:00 local time, else ``night``."""
    local = starts_at.astimezone(ZoneInfo(time_zone)).time()
    return "day" if DAY_STARTS <= local < NIGHT_STARTS else "night"


def check_times(starts_at: datetime, ends_at: datetime) -> None:
    """Refuse a shift that ends before it starts or lasts longer than ``MAX_SHIFT``."""
    if starts_at.tzinfo is None or ends_at.tzinfo is None:
        raise RotaRejected("give starts_at and ends_at with their UTC offset")
    if ends_at <= starts_at:
        raise RotaRejected(
            f"the shift ends ({ends_at.isoformat()}) before it starts ({starts_at.isoformat()})"
        )
    if ends_at - starts_at > MAX_SHIFT:
        hours = (ends_at - starts_at).total_seconds() / 3600
        raise RotaRejected(f"a shift lasts at most 24 hours, not {hours:g}")


def covering(shifts: Sequence[EcgRotaShift], at: datetime) -> list[EcgRotaShift]:
    """The shifts on duty at ``at`` (starts_at <= at < ends_at)."""
    return [s for s in shifts if s.starts_at <= at < s.ends_at]


async def add_shift(
    db: AsyncSession,
    user: User,
    username: str,
    starts_at: datetime,
    ends_at: datetime,
    note: str,
    time_zone: str,
    synthetic: bool = False,
) -> tuple[EcgRotaShift, str]:
    """Put ``username`` (an active ECG reader) on the rota for [starts_at, ends_at)."""
    if user.role not in ROTA_WRITERS:
        raise Forbidden(f"the {user.role} role may not change the ECG readers' rota")
    check_times(starts_at, ends_at)
    reader = await db.scalar(select(User).where(User.username == username))
    if reader is None:
        raise RotaRejected(f"no user {username!r}")
    if reader.role != Role.ecg_reader or not reader.active:
        raise RotaRejected(f"{username!r} is not an active ECG reader (role {reader.role})")
    clash = await db.scalar(
        select(EcgRotaShift)
        .where(
            EcgRotaShift.user_id == reader.id,
            EcgRotaShift.starts_at < ends_at,
            EcgRotaShift.ends_at > starts_at,
        )
        .limit(1)
    )
    if clash is not None:
        raise RotaOverlap(_overlap(username, clash))
    shift = EcgRotaShift(
        user_id=reader.id,
        starts_at=starts_at,
        ends_at=ends_at,
        label=shift_label(starts_at, time_zone),
        note=note,
        synthetic=synthetic,
        created_by=user.username,
    )
    try:
        async with db.begin_nested():
            db.add(shift)
    except IntegrityError as exc:  # another write put an overlapping shift in meanwhile
        raise RotaOverlap(f"{username!r} already has a shift overlapping this one") from exc
    return shift, reader.username


def _overlap(username: str, clash: EcgRotaShift) -> str:
    return (
        f"{username!r} is already on duty from {clash.starts_at.isoformat()} to"
        f" {clash.ends_at.isoformat()} (shift {clash.id}): shifts of one reader may not overlap"
    )


async def delete_shift(db: AsyncSession, user: User, shift_id: int, now: datetime) -> None:
    """Take a shift off the rota before it starts (one that began is history: 409)."""
    if user.role not in ROTA_WRITERS:
        raise Forbidden(f"the {user.role} role may not change the ECG readers' rota")
    shift = await db.get(EcgRotaShift, shift_id, with_for_update=True)
    if shift is None:
        raise NotFound("rota shift", str(shift_id))
    if shift.starts_at <= now:
        raise Conflict(
            f"shift {shift_id} began at {shift.starts_at.isoformat()}: a shift that began is"
            " kept (the readings made in it are reported by it)"
        )
    await db.delete(shift)


def _may_read(user: User) -> None:
    if user.role not in ROTA_READERS:
        raise Forbidden(f"the {user.role} role does not read the ECG readers' rota")


async def shifts_between(
    db: AsyncSession, user: User, start: datetime, end: datetime
) -> list[tuple[EcgRotaShift, str]]:
    """The shifts overlapping [start, end), by start, each with its reader's username."""
    _may_read(user)
    rows = await db.execute(
        select(EcgRotaShift, User.username)
        .join(User, User.id == EcgRotaShift.user_id)
        .where(EcgRotaShift.starts_at < end, EcgRotaShift.ends_at > start)
        .order_by(EcgRotaShift.starts_at, User.username)
    )
    return [(shift, username) for shift, username in rows]


async def on_duty(db: AsyncSession, now: datetime) -> list[tuple[EcgRotaShift, str]]:
    """The active readers on duty at ``now``, with their shifts."""
    rows = await db.execute(
        select(EcgRotaShift, User.username)
        .join(User, User.id == EcgRotaShift.user_id)
        .where(EcgRotaShift.starts_at <= now, EcgRotaShift.ends_at > now, User.active.is_(True))
        .order_by(User.username)
    )
    return [(shift, username) for shift, username in rows]


async def duty_for(db: AsyncSession, user: User, now: datetime) -> list[tuple[EcgRotaShift, str]]:
    """``on_duty`` for a user who may read the rota."""
    _may_read(user)
    return await on_duty(db, now)


async def recipients(db: AsyncSession, now: datetime) -> Recipients:
    """The readers an unread ECG escalates to now: those on duty, else every active reader."""
    duty = sorted({username for _, username in await on_duty(db, now)})
    if duty:
        return Recipients(tuple(duty), on_duty=True)
    everyone = await db.scalars(
        select(User.username)
        .where(User.role == Role.ecg_reader, User.active.is_(True))
        .order_by(User.username)
    )
    return Recipients(tuple(everyone), on_duty=False)


def shift_view(shift: EcgRotaShift, username: str) -> dict[str, Any]:
    return {
        "id": shift.id,
        "username": username,
        "starts_at": shift.starts_at.isoformat(),
        "ends_at": shift.ends_at.isoformat(),
        "label": shift.label,
        "note": shift.note,
        "synthetic": shift.synthetic,
        "created_by": shift.created_by,
    }
