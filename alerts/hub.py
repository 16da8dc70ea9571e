"""Fan-out inside one server process, and the listener that feeds it from PostgreSQL.

- ``Hub``: each connected screen has a bounded queue; frames are put without waiting, and a
  screen whose queue is full is marked to be disconnected (it reconnects and replays). The
  broadcaster never waits for a slow screen.
- ``Listener``: a dedicated connection (not from the pool) LISTENs for the stream doorbell
  (stream name and seq only); a short poll covers doorbells lost while it was away; it
  reconnects and re-LISTENs by itself and records when it last proved alive. Frames are always
  read from the table, in order, after the last seq this process has seen. Its three loops run
  under the app's supervisor (``Listener.loops``).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from collections import defaultdict
from collections.abc import Callable, Coroutine, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

import asyncpg
import structlog
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from alerts import delivery, stream
from alerts.delivery import Outgoing

log = structlog.get_logger(__name__)
Frame = dict[str, Any]
__all__ = ["Hub", "Listener", "Outgoing", "Subscriber", "outgoing"]
FETCH_PAGE = 500  # frames per stream per statement


def outgoing(frame: Frame) -> Outgoing:
    """A frame as every screen of the process is sent it, serialised once."""
    text = json.dumps(frame, ensure_ascii=False)
    return Outgoing(int(frame["seq"]), text, int(frame.get("epoch") or 0))


@dataclass(eq=False)
class Subscriber:
    """One screen's queue."""

    stream: str
    queue: asyncio.Queue[Outgoing]
    lagging: asyncio.Event = field(default_factory=asyncio.Event)


class Hub:
    """The process's subscribers by stream, and the last seq seen of each stream."""

    def __init__(self, queue_size: int = 256) -> None:
        self.queue_size = queue_size
        self.subscribers: dict[str, set[Subscriber]] = defaultdict(set)
        self.last_seq: dict[str, int] = {}
        self.dropped = 0

    def subscribe(self, name: str, head: int) -> Subscriber:
        """A new queue on the stream; ``head`` is the stream's last seq as the caller read it."""
        subscriber = Subscriber(name, asyncio.Queue(self.queue_size))
        watched = bool(self.subscribers.get(name))
        self.last_seq[name] = delivery.cursor_on_join(self.last_seq.get(name), head, watched)
        self.subscribers[name].add(subscriber)
        return subscriber

    def unsubscribe(self, subscriber: Subscriber) -> None:
        self.subscribers[subscriber.stream].discard(subscriber)
        if not self.subscribers[subscriber.stream]:
            del self.subscribers[subscriber.stream]

    def streams(self) -> list[str]:
        return list(self.subscribers)

    def deliver(self, name: str, frames: list[Frame]) -> None:
        """Give the frames after the stream's cursor to each of its subscribers, never waiting.

        A subscriber whose queue is full is marked lagging and given nothing more (its screen is
        closed and replays on reconnect); the others are not held up.
        """
        cursor = self.last_seq.get(name, 0)
        new, self.last_seq[name] = delivery.fresh(cursor, (outgoing(f) for f in frames))
        for each in new:
            for subscriber in list(self.subscribers.get(name, ())):
                if subscriber.lagging.is_set():
                    continue
                try:
                    subscriber.queue.put_nowait(each)
                except asyncio.QueueFull:
                    subscriber.lagging.set()
                    self.dropped += 1
                    log.warning("screen_lagging", stream=name, seq=each.seq)


def _forward(watcher: ChannelWatcher) -> Callable[[object, int, str, str], None]:
    def on_notify(_conn: object, _pid: int, _channel: str, payload: str) -> None:
        watcher.on_notify(payload)

    return on_notify


class ChannelWatcher(Protocol):
    """Something else that listens on the listener's connection (e.g. the session cache): told
    each payload of its channel, and when the connection is LISTENing and when it was lost."""

    channel: str

    def on_notify(self, payload: str) -> None: ...

    def connected(self) -> None: ...

    def disconnected(self) -> None: ...


class Listener:
    """LISTEN on a dedicated connection; poll as a safety net; reconnect on its own."""

    def __init__(
        self,
        dsn: str,
        sessions: async_sessionmaker[AsyncSession],
        hub: Hub,
        poll_seconds: float = 2.0,
        check_seconds: float = 5.0,
        watchers: Sequence[ChannelWatcher] = (),
    ) -> None:
        self.dsn = dsn
        self.watchers = tuple(watchers)
        self.sessions = sessions
        self.hub = hub
        self.poll_seconds = poll_seconds
        self.check_seconds = check_seconds
        self.alive_at = 0.0
        self.reconnects = 0
        self._dirty: set[str] = set()
        self._wake = asyncio.Event()

    def alive(self) -> bool:
        """Whether the listener proved its connection within the last three checks."""
        return time.monotonic() - self.alive_at < 3 * self.check_seconds + 1

    def loops(self) -> dict[str, Callable[[], Coroutine[Any, Any, None]]]:
        """The listener's three loops by name, for the app's supervisor to run: each handles
        database errors itself; anything else propagates (the supervisor logs and restarts)."""
        return {
            "alert-listener": self.listen,
            "alert-fetcher": self.fetch_loop,
            "alert-poller": self.poll_loop,
        }

    def ring(self, name: str) -> None:
        """Mark a stream as having new frames to fetch."""
        if name in self.hub.subscribers:
            self._dirty.add(name)
            self._wake.set()

    def _on_notify(self, _conn: object, _pid: int, _channel: str, payload: str) -> None:
        self.ring(payload.split(" ", 1)[0])

    async def listen(self) -> None:
        """LISTEN on a dedicated connection, proving it every check; reconnect on errors."""
        delay = 0.2
        while True:
            connection = None
            try:
                connection = await asyncpg.connect(self.dsn, timeout=5)
                await connection.add_listener(stream.CHANNEL, self._on_notify)
                for watcher in self.watchers:
                    await connection.add_listener(watcher.channel, _forward(watcher))
                    watcher.connected()
                self.alive_at = time.monotonic()
                delay = 0.2
                for name in self.hub.streams():  # doorbells may have rung while away
                    self.ring(name)
                while True:
                    await asyncio.sleep(self.check_seconds)
                    await connection.fetchval("SELECT 1", timeout=5)
                    self.alive_at = time.monotonic()
            except (TimeoutError, OSError, asyncpg.PostgresError, asyncpg.InterfaceError) as exc:
                self.reconnects += 1
                log.warning("alert_listener_reconnecting", error=type(exc).__name__, delay=delay)
            finally:
                for watcher in self.watchers:
                    watcher.disconnected()
                if connection is not None:
                    with contextlib.suppress(Exception):
                        await connection.close(timeout=1)
            await asyncio.sleep(delay)
            delay = min(delay * 2, 5.0)

    async def poll_loop(self) -> None:
        """Ring every subscribed stream every poll (the safety net under NOTIFY)."""
        while True:
            await asyncio.sleep(self.poll_seconds)
            for name in self.hub.streams():
                self.ring(name)

    async def fetch_loop(self) -> None:
        """Fetch the rung streams (one statement for all of them); streams whose fetch failed
        are rung again."""
        while True:
            await self._wake.wait()
            self._wake.clear()
            names, self._dirty = self._dirty, set()
            try:
                await self.fetch_many(names)
            except (SQLAlchemyError, OSError) as exc:
                log.warning("alert_fetch_failed", streams=len(names), error=type(exc).__name__)
                self._dirty |= names
            except BaseException:  # cancelled, or failed: the restarted loop fetches them
                self._dirty |= names
                self._wake.set()
                raise

    async def fetch_many(self, names: set[str]) -> None:
        """Read the frames of every subscribed stream of ``names`` after the last seq seen here,
        in one statement per round (a stream with a full page is read again), and hand them
        to the hub in order."""
        pending = set(names)
        while pending:
            since = {n: self.hub.last_seq.get(n, 0) for n in pending if n in self.hub.subscribers}
            if not since:
                return
            async with self.sessions() as db:
                found = await stream.frames_after_many(db, since, FETCH_PAGE)
            for name, frames in found.items():
                self.hub.deliver(name, frames)
            pending = {name for name, frames in found.items() if len(frames) == FETCH_PAGE}
