"""Which monthly partitions of the GPS track should exist and which have expired. Pure.

Months are calendar months in UTC, named ``ambulance_positions_YYYYMM``. A fix is kept at least
``retention_months`` months after it was received: a month's partition is dropped once its
last instant is that far in the past (so a fix lives between ``retention_months`` and one month
more).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime

PARENT = "ambulance_positions"
DEFAULT_PARTITION = f"{PARENT}_default"
_NAME = re.compile(rf"{PARENT}_(\d{{4}})(\d{{2}})")


@dataclass(frozen=True, order=True)
class Month:
    """One calendar month of the track: fixes received in [starts, ends)."""

    starts: datetime

    @property
    def ends(self) -> datetime:
        return add_months(self.starts, 1)

    @property
    def name(self) -> str:
        return f"{PARENT}_{self.starts:%Y%m}"

    @classmethod
    def of(cls, at: datetime) -> Month:
        """The month holding ``at`` (an aware time)."""
        if at.tzinfo is None:
            raise ValueError("a naive time has no month: give a time zone")
        utc = at.astimezone(UTC)
        return cls(datetime(utc.year, utc.month, 1, tzinfo=UTC))

    @classmethod
    def named(cls, name: str) -> Month | None:
        """The month a partition's name stands for; None for any other table."""
        found = _NAME.fullmatch(name)
        if not found or not 1 <= int(found.group(2)) <= 12:
            return None
        return cls(datetime(int(found.group(1)), int(found.group(2)), 1, tzinfo=UTC))


def add_months(at: datetime, months: int) -> datetime:
    """``at`` moved by whole months, the day clamped to the target month's length."""
    index = at.year * 12 + at.month - 1 + months
    year, month = divmod(index, 12)
    days = [31, 29 if _leap(year) else 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month]
    return at.replace(year=year, month=month + 1, day=min(at.day, days))


def _leap(year: int) -> bool:
    return year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)


def wanted(now: datetime, months_ahead: int) -> list[Month]:
    """The current month and the ``months_ahead`` after it."""
    first = Month.of(now)
    return [Month(add_months(first.starts, k)) for k in range(months_ahead + 1)]


def keep_from(now: datetime, retention_months: int) -> datetime:
    """Fixes received before this instant have been kept long enough."""
    if retention_months < 1:
        raise ValueError("the track is kept at least one month")
    return add_months(now, -retention_months)


def expired(existing: list[Month], now: datetime, retention_months: int) -> list[Month]:
    """The months whose every fix is older than the retention (to drop)."""
    limit = keep_from(now, retention_months)
    return sorted(month for month in existing if month.ends <= limit)
