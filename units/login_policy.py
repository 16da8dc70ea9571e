"""Login throttling rules (finding 3): pure, no I/O, no clock of its own.

An account or an address that failed ``max_failures`` times within ``window`` is locked for
``lockout`` after its latest failure; every further multiple of ``max_failures`` in the window
doubles the lockout, up to ``max_lockout``. Attempts refused while locked are recorded but do not
count (the lock then ends ``lockout`` after the latest real failure). A successful sign-in clears
its account's count, never its address's (an attacker's own account must not reset the address).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta


@dataclass(frozen=True)
class Limit:
    """One throttle: failures allowed in a window, and the lockout that follows."""

    max_failures: int
    window: timedelta
    lockout: timedelta
    max_lockout: timedelta

    def __post_init__(self) -> None:
        if self.max_failures < 1:
            raise ValueError("max_failures must be at least 1")
        if self.window <= timedelta(0) or self.lockout <= timedelta(0):
            raise ValueError("window and lockout must be positive")
        if self.max_lockout < self.lockout:
            raise ValueError("max_lockout must be at least lockout")


@dataclass(frozen=True)
class LoginPolicy:
    account: Limit
    address: Limit


@dataclass(frozen=True)
class Failures:
    """What the store knows of one key (account or address) within its window."""

    count: int
    latest: datetime | None


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    retry_after_seconds: int = 0
    reason: str | None = None  # "account_locked" or "address_locked"


ALLOWED = Verdict(allowed=True)


def lockout_for(limit: Limit, count: int) -> timedelta:
    """The lockout after ``count`` failures in the window (zero below the threshold)."""
    if count < limit.max_failures:
        return timedelta(0)
    level = count // limit.max_failures  # 1 at the threshold, 2 at twice it, ...
    lock: timedelta = limit.lockout * int(2 ** min(level - 1, 30))
    return min(lock, limit.max_lockout)


def locked_until(limit: Limit, failures: Failures) -> datetime | None:
    """When the key's lock ends, or None when it is not locked at all."""
    lock = lockout_for(limit, failures.count)
    if lock <= timedelta(0) or failures.latest is None:
        return None
    return failures.latest + lock


def seconds_until(until: datetime, now: datetime) -> int:
    """Whole seconds to wait (a Retry-After), at least 1."""
    return max(1, math.ceil((until - now).total_seconds()))


def decide(policy: LoginPolicy, account: Failures, address: Failures, now: datetime) -> Verdict:
    """May a login attempt for this account from this address be checked at ``now``?"""
    verdicts = []
    for limit, failures, reason in (
        (policy.account, account, "account_locked"),
        (policy.address, address, "address_locked"),
    ):
        until = locked_until(limit, failures)
        if until is not None and now < until:
            verdicts.append(Verdict(False, seconds_until(until, now), reason))
    if not verdicts:
        return ALLOWED
    return max(verdicts, key=lambda v: v.retry_after_seconds)


def lookback(policy: LoginPolicy) -> timedelta:
    """How far back the store must count failures: the longest window."""
    return max(policy.account.window, policy.address.window)
