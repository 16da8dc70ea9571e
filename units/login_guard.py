"""The login guard (finding 3): throttling state in PostgreSQL, password checks in a bounded pool.

The handler calls ``LoginGuard.sign_in``; it (1) asks the policy (``units.login_policy``) whether
the account or the address is locked, from one indexed query over ``login_failures`` (shared by
every API process), (2) checks the password off the event loop in a bounded thread pool (argon2
releases the GIL; an unknown user is verified against a dummy hash, so timing does not tell
which accounts exist) and (3) records every failure — who tried which account, from where,
when, why — in its own short transaction (the request's own is rolled back by the 401). Hooks in
``on_failure`` receive each failure (e.g. the audit trail).

A flood from one address (issue 12): once the store says the address is locked, this process
remembers it for a few seconds (``lock_memory``) and refuses that address's attempts without a
query; refusals that do not count are written in batches by ``refusals`` (``units.batched``)
while the server drains them. Remembering can only be stricter than the store, by at most
``lock_memory``: an address's lock never ends early (a sign-in clears accounts, not addresses).
"""

from __future__ import annotations

import asyncio
import threading
from collections import Counter
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from typing import cast

from fastapi import Request
from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from units.batched import BatchedWriter
from units.exceptions import LoginBusy, NotAuthenticated, TooManyAttempts
from units.login_policy import Failures, LoginPolicy, decide, locked_until, seconds_until
from units.models import User
from units.security import hash_password, verify_password

# A real argon2 hash of nothing anybody knows: verifying against it costs what a real check does.
_DUMMY_HASH = hash_password("unknown-user-placeholder")

Clock = Callable[[], datetime]


@dataclass(frozen=True)
class LoginFailure:
    """One refused sign-in, as recorded."""

    username: str
    address: str
    at: datetime
    reason: str  # unknown_user, wrong_password, inactive, concurrent, *_locked, busy


FailureHook = Callable[[LoginFailure], Awaitable[None]]

# Reasons that count toward a lock; refusals while locked or busy are recorded but do not count.
# An address with a check already in flight that sends another is guessing in parallel (a person
# signs in once at a time): refused at once, and counted.
COUNTED = frozenset({"unknown_user", "wrong_password", "inactive", "concurrent"})


class PasswordPool:
    """argon2 off the event loop: ``workers`` threads, at most ``queue`` checks waiting.

    A check beyond ``workers + queue`` in flight is refused at once (``LoginBusy``, a 503 with
    Retry-After) rather than queued behind a flood.
    """

    def __init__(self, workers: int, queue: int) -> None:
        self._executor = _executor(workers)
        self._capacity = workers + queue
        self._in_flight = 0
        self._lock = threading.Lock()

    @property
    def in_flight(self) -> int:
        return self._in_flight

    async def _run(self, fn: Callable[[], bool | str]) -> bool | str:
        with self._lock:
            if self._in_flight >= self._capacity:
                raise LoginBusy(1)
            self._in_flight += 1
        try:
            return await asyncio.get_running_loop().run_in_executor(self._executor, fn)
        finally:
            with self._lock:
                self._in_flight -= 1

    async def verify(self, password_hash: str, password: str) -> bool:
        """Whether the password matches, checked in the pool."""
        return bool(await self._run(lambda: verify_password(password_hash, password)))

    async def hash(self, password: str) -> str:
        """An argon2id hash, computed in the pool (for password changes)."""
        return str(await self._run(lambda: hash_password(password)))


@lru_cache
def _executor(workers: int) -> ThreadPoolExecutor:
    """One executor per process and size (apps made per test share it; threads start lazily)."""
    return ThreadPoolExecutor(max_workers=workers, thread_name_prefix="argon2")


_COUNT = text(
    """
    SELECT count(*) FILTER (WHERE username = :username AND NOT cleared AND at > :account_since),
           max(at) FILTER (WHERE username = :username AND NOT cleared AND at > :account_since),
           count(*) FILTER (WHERE address = :address AND at > :address_since),
           max(at) FILTER (WHERE address = :address AND at > :address_since)
      FROM login_failures
     WHERE counted AND at > least(:account_since, :address_since)
       AND (username = :username OR address = :address)
    """
)
_RECORD = text(
    "INSERT INTO login_failures (username, address, at, reason, counted)"
    " VALUES (:username, :address, :at, :reason, :counted)"
)
_CLEAR = text(
    "UPDATE login_failures SET cleared = true"
    " WHERE username = :username AND counted AND NOT cleared AND at > :since"
)


_MAX_REMEMBERED = 10_000  # locked addresses remembered at once (a spread attack gets queries)


async def write_failures(
    sessions: async_sessionmaker[AsyncSession], failures: list[LoginFailure]
) -> None:
    """Store failures in one short transaction of their own."""
    async with sessions() as db, db.begin():
        await db.execute(
            _RECORD,
            [
                {
                    "username": failure.username,
                    "address": failure.address,
                    "at": failure.at,
                    "reason": failure.reason,
                    "counted": failure.reason in COUNTED,
                }
                for failure in failures
            ],
        )


@dataclass
class LoginGuard:
    policy: LoginPolicy
    pool: PasswordPool
    clock: Clock = field(default=lambda: datetime.now(UTC))
    on_failure: list[FailureHook] = field(default_factory=list)
    per_address: int = 1  # password checks one address may have in flight in this process
    refusals: BatchedWriter[LoginFailure] | None = None  # batches the failures that do not count
    lock_memory: timedelta = timedelta(seconds=5)  # how long a locked address is remembered
    _in_flight: Counter[str] = field(default_factory=Counter)
    _address_locks: dict[str, datetime] = field(default_factory=dict)

    async def _failures(
        self, db: AsyncSession, username: str, address: str, now: datetime
    ) -> tuple[Failures, Failures]:
        row = (
            await db.execute(
                _COUNT,
                {
                    "username": username,
                    "address": address,
                    "account_since": now - self.policy.account.window,
                    "address_since": now - self.policy.address.window,
                },
            )
        ).one()
        return Failures(int(row[0]), row[1]), Failures(int(row[2]), row[3])

    async def record(
        self, sessions: async_sessionmaker[AsyncSession], failure: LoginFailure
    ) -> None:
        """Store one failure (one that counts: at once, before the answer, so the next attempt's
        count holds it; one that does not: through ``refusals`` when set), then the hooks."""
        if failure.reason in COUNTED or self.refusals is None:
            await write_failures(sessions, [failure])
        else:
            await self.refusals.submit(failure)
        for hook in self.on_failure:
            await hook(failure)

    async def _refuse_remembered_lock(
        self, sessions: async_sessionmaker[AsyncSession], username: str, address: str, now: datetime
    ) -> None:
        """TooManyAttempts, without a query, while this address's lock is remembered."""
        until = self._address_locks.get(address)
        if until is None:
            return
        if now >= until:
            del self._address_locks[address]
            return
        await self.record(sessions, LoginFailure(username, address, now, "address_locked"))
        raise TooManyAttempts(seconds_until(until, now))

    def _remember_lock(self, address: str, failures: Failures, now: datetime) -> None:
        until = locked_until(self.policy.address, failures)
        if until is None or until <= now:
            return
        if len(self._address_locks) >= _MAX_REMEMBERED:
            self._address_locks = {a: u for a, u in self._address_locks.items() if u > now}
        if len(self._address_locks) < _MAX_REMEMBERED:
            self._address_locks[address] = min(until, now + self.lock_memory)

    async def sign_in(
        self,
        sessions: async_sessionmaker[AsyncSession],
        username: str,
        password: str,
        address: str,
    ) -> User:
        """The active user with this name and password; else NotAuthenticated (401, one message),
        TooManyAttempts (429) while locked, LoginBusy (503) when the pool is full."""
        now = self.clock()
        await self._refuse_remembered_lock(sessions, username, address, now)
        async with sessions() as db, db.begin():
            account, from_address = await self._failures(db, username, address, now)
            verdict = decide(self.policy, account, from_address, now)
            if not verdict.allowed:
                user = None
            else:
                user = await db.scalar(select(User).where(User.username == username))
        if not verdict.allowed:
            self._remember_lock(address, from_address, now)
            await self.record(sessions, LoginFailure(username, address, now, str(verdict.reason)))
            raise TooManyAttempts(verdict.retry_after_seconds)
        if self._in_flight[address] >= self.per_address:
            await self.record(sessions, LoginFailure(username, address, now, "concurrent"))
            raise TooManyAttempts(1)
        stored = user.password_hash if user is not None else _DUMMY_HASH
        self._in_flight[address] += 1
        try:
            matches = await self.pool.verify(stored, password)
        except LoginBusy:
            await self.record(sessions, LoginFailure(username, address, now, "busy"))
            raise
        finally:
            self._in_flight[address] -= 1
            if self._in_flight[address] <= 0:
                del self._in_flight[address]
        reason = (
            "unknown_user"
            if user is None
            else "wrong_password"
            if not matches
            else "inactive"
            if not user.active
            else None
        )
        if reason is not None or user is None:
            await self.record(sessions, LoginFailure(username, address, now, reason or "unknown"))
            raise NotAuthenticated("wrong username or password")
        if account.count:
            async with sessions() as db, db.begin():
                await db.execute(
                    _CLEAR, {"username": username, "since": now - self.policy.account.window}
                )
        return user


def login_guard(request: Request) -> LoginGuard:
    """The app's guard (built by the app factory from the settings)."""
    return cast(LoginGuard, request.app.state.login_guard)


def client_address(request: Request) -> str:
    """The client's address: the peer, or the trusted proxy's client when uvicorn was told to
    trust it (``INFOFIRST_FORWARDED_ALLOW_IPS``, uvicorn's own proxy-headers handling)."""
    return request.client.host if request.client is not None else "unknown"
