"""One supervisor for every background loop of the process (the alert listener's three loops,
the escalator, the road watcher): nothing ends silently.

Each loop is a coroutine factory run in its own task. A loop handles the errors it expects
(e.g. reconnects after a database error) itself; anything else propagates here, where it is
logged with its traceback, counted (``infofirst_loop_restarts_total{loop=...}``), shown in
``/readyz`` while the loop is down, and the loop is started again after a backoff. A loop that
returns is a failure too: a background loop runs until it is cancelled.

``Backoff`` is the pure restart policy (no clock, no I/O); ``Supervisor`` runs the tasks.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import structlog
from prometheus_client import Counter

log = structlog.get_logger(__name__)

LoopFactory = Callable[[], Coroutine[Any, Any, None]]
Sleep = Callable[[float], Awaitable[None]]

RESTARTS = Counter(
    "infofirst_loop_restarts_total",
    "Background loops restarted after they failed or returned.",
    ["loop"],
)


class LoopReturned(RuntimeError):
    """A background loop returned although nobody cancelled it."""


@dataclass(frozen=True)
class Backoff:
    """How long to wait before restarting a loop: doubling from ``initial`` up to ``maximum``,
    back to ``initial`` once a run lasted ``healthy_after`` seconds."""

    initial: float = 0.1
    maximum: float = 30.0
    healthy_after: float = 60.0

    def next_delay(self, previous: float | None, ran_for: float) -> float:
        """The pause before the next start, given the previous pause (None: none yet) and how
        long the run that just failed lasted."""
        if previous is None or ran_for >= self.healthy_after:
            return min(self.initial, self.maximum)
        return min(previous * 2, self.maximum)


@dataclass
class LoopState:
    """What ``/readyz`` shows of one loop."""

    alive: bool = False
    restarts: int = 0
    last_error: str | None = None
    last_failure_at: datetime | None = None
    backoff_seconds: float | None = None

    def view(self) -> dict[str, Any]:
        return {
            "alive": self.alive,
            "restarts": self.restarts,
            "last_error": self.last_error,
            "last_failure_at": self.last_failure_at.isoformat() if self.last_failure_at else None,
            "backoff_seconds": self.backoff_seconds,
        }


@dataclass
class Supervisor:
    """N named loops, each in its own task, restarted with ``backoff`` when they fail."""

    backoff: Backoff = field(default_factory=Backoff)
    stop_timeout: float = 5.0
    sleep: Sleep = asyncio.sleep  # the pause between restarts (a test may gate it)
    states: dict[str, LoopState] = field(default_factory=dict)
    _factories: dict[str, LoopFactory] = field(default_factory=dict)
    _tasks: dict[str, asyncio.Task[None]] = field(default_factory=dict)
    _changed: asyncio.Condition | None = None

    def add(self, name: str, factory: LoopFactory) -> None:
        """Supervise ``factory()`` under ``name`` (started by ``start``)."""
        if name in self._factories:
            raise ValueError(f"a loop named {name!r} is already supervised")
        self._factories[name] = factory
        self.states[name] = LoopState()

    def start(self) -> None:
        """Start every loop added (each once)."""
        for name, factory in self._factories.items():
            if name not in self._tasks:
                self._tasks[name] = asyncio.create_task(self._run(name, factory), name=name)

    async def stop(self) -> None:
        """Cancel every loop and wait for them (at most ``stop_timeout`` s in all)."""
        tasks = list(self._tasks.values())
        for task in tasks:
            task.cancel()
        if tasks:
            _, pending = await asyncio.wait(tasks, timeout=self.stop_timeout)
            for task in pending:
                log.error("loop_did_not_stop", loop=task.get_name(), timeout=self.stop_timeout)
        self._tasks.clear()
        for state in self.states.values():
            state.alive = False

    def ready(self) -> bool:
        """Whether every loop is running (none is down or waiting to restart)."""
        return all(state.alive for state in self.states.values())

    def report(self) -> dict[str, dict[str, Any]]:
        """Each loop's state, by name."""
        return {name: state.view() for name, state in self.states.items()}

    async def wait_until(self, condition: Callable[[], bool], within: float) -> bool:
        """Wait until ``condition()`` holds, checked whenever a loop's state changes (at most
        ``within`` s); whether it held."""
        changed = self._condition()
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(within), changed:
                await changed.wait_for(condition)
        return condition()

    def _condition(self) -> asyncio.Condition:
        if self._changed is None:  # created in the running loop, not at construction
            self._changed = asyncio.Condition()
        return self._changed

    async def _notify(self) -> None:
        changed = self._condition()
        async with changed:
            changed.notify_all()

    async def _run(self, name: str, factory: LoopFactory) -> None:
        state = self.states[name]
        delay: float | None = None
        while True:
            started = time.monotonic()
            state.alive, state.backoff_seconds = True, None
            await self._notify()
            try:
                await factory()
                raise LoopReturned(f"the loop {name} returned")
            except asyncio.CancelledError:
                state.alive = False
                raise
            except Exception as exc:  # the supervisor's job: log, show, restart
                delay = self.backoff.next_delay(delay, time.monotonic() - started)
                state.alive = False
                state.restarts += 1
                state.last_error = f"{type(exc).__name__}: {exc}"
                state.last_failure_at = datetime.now(UTC)
                state.backoff_seconds = delay
                RESTARTS.labels(loop=name).inc()
                log.exception("loop_failed", loop=name, error=type(exc).__name__, restart_in=delay)
            await self._notify()
            await self.sleep(delay)
