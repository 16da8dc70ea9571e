"""Each process's short memory of the signed-in sessions it has read (issue 17, the write path).

Every authenticated request read its session and user from the database: a statement and a
round trip before the request's own work. ``SessionCache`` keeps what a request read for
``INFOFIRST_SESSION_CACHE_SECONDS`` (60), on three conditions that keep a sign-out, a password
change or a disabled user effective in every process as soon as it is committed:

- the entries are dropped by the database's doorbell: triggers on ``sessions`` and ``users``
  NOTIFY ``session_change`` on every change or deletion (migration 0035), whoever makes it, and
  the alert listener's connection (``alerts.hub.Listener``) hands each to ``on_notify``;
- the cache is used only while that listener is connected (``connected``/``disconnected``): a
  notification missed while it was away cannot leave a revoked session in use, since nothing is
  cached then and everything is forgotten when it reconnects;
- a read that raced a notification is not kept (``epoch``: a request that read the session
  before a notification arrived does not store what it read).

An entry holds plain column values of the user (never an object a request changed); each hit
is merged into the request's own session without a query (``merge(load=False)``). An expired
session is refused from the entry as from the row.
"""

from __future__ import annotations

import time
import weakref
from collections.abc import Callable, Collection
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from prometheus_client import Counter
from sqlalchemy.orm import make_transient_to_detached

from units.models import User, UserSession

CHANNEL = "session_change"
LOOKUPS = Counter(
    "infofirst_session_cache_lookups_total", "Signed-in sessions looked up", ["result"]
)
_COLUMNS = tuple(attribute.key for attribute in User.__mapper__.column_attrs)
_CACHES: weakref.WeakSet[SessionCache] = weakref.WeakSet()  # this process's (one per app)


def forget(session_ids: Collection[str]) -> None:
    """Drop sessions from every cache of this process now, as a request ends them (before its
    commit): the next request here reads the row, without waiting for the doorbell, which
    reaches the other processes (and covers a request here that read the row meanwhile)."""
    for cache in list(_CACHES):
        for session_id in session_ids:
            cache.on_notify(f"session {session_id}")


@dataclass(frozen=True)
class Entry:
    """A session as read: its user's columns, whose it is, until when, kept until ``until``."""

    user_columns: dict[str, Any]
    user_id: int
    expires_at: datetime
    until: float

    def user(self) -> User:
        """A detached copy of the user, to merge into a request's session."""
        user = User(**self.user_columns)
        make_transient_to_detached(user)
        return user


class SessionCache:
    channel = CHANNEL

    def __init__(self, seconds: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.seconds = seconds
        self._clock = clock
        self._entries: dict[str, Entry] = {}
        self._enabled = False
        self.epoch = 0  # counts the notifications (and disconnections) seen
        _CACHES.add(self)

    @property
    def enabled(self) -> bool:
        return self._enabled and self.seconds > 0

    def get(self, session_id: str) -> Entry | None:
        """The entry of a session, if the cache is in use and it is fresh."""
        entry = self._entries.get(session_id) if self.enabled else None
        if entry is not None and entry.until <= self._clock():
            del self._entries[session_id]
            entry = None
        LOOKUPS.labels("hit" if entry is not None else "miss").inc()
        return entry

    def put(self, session_id: str, session: UserSession, user: User, read_at_epoch: int) -> None:
        """Keep what a request read, unless a notification arrived since it began reading."""
        if not self.enabled or read_at_epoch != self.epoch:
            return
        if len(self._entries) > 100_000:  # bounded: forget everything rather than grow
            self._entries.clear()
        self._entries[session_id] = Entry(
            {key: getattr(user, key) for key in _COLUMNS},
            session.user_id,
            session.expires_at,
            self._clock() + self.seconds,
        )

    def on_notify(self, payload: str) -> None:
        """``session <jti>`` or ``user <id>``: forget the session, or every session of the user."""
        self.epoch += 1
        kind, _, key = payload.partition(" ")
        if kind == "session":
            self._entries.pop(key, None)
        elif kind == "user" and key.isdigit():
            user_id = int(key)
            for session_id in [s for s, e in self._entries.items() if e.user_id == user_id]:
                del self._entries[session_id]
        else:  # not ours to read: forget everything
            self._entries.clear()

    def connected(self) -> None:
        """The listener is LISTENing again: start afresh."""
        self.epoch += 1
        self._entries.clear()
        self._enabled = True

    def disconnected(self) -> None:
        """The listener lost its connection: notifications may be missed, so no cache."""
        self.epoch += 1
        self._enabled = False
        self._entries.clear()
