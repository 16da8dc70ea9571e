"""The supervisor of background loops: its restart policy (pure) and its tasks (real asyncio
tasks, no I/O; every wait is on an event with a deadline, never a bare sleep)."""

from __future__ import annotations

import asyncio
import logging

import pytest
from prometheus_client import REGISTRY

from dispatch.http import logs
from dispatch.http.supervisor import Backoff, Supervisor


class Gate:
    """A pause between restarts that lasts until the test opens it."""

    def __init__(self) -> None:
        self.opened = asyncio.Event()
        self.delays: list[float] = []

    async def sleep(self, delay: float) -> None:
        self.delays.append(delay)
        await self.opened.wait()


def restarts_counted(loop: str) -> float:
    return REGISTRY.get_sample_value("infofirst_loop_restarts_total", {"loop": loop}) or 0.0


def test_the_first_pause_is_the_initial_one() -> None:
    """The first restart waits the initial pause."""
    assert 0.1 == Backoff(initial=0.1, maximum=30, healthy_after=60).next_delay(None, 0.0)


def test_pauses_double_up_to_the_maximum() -> None:
    """Quick failures in a row double the pause, never past the maximum."""
    policy = Backoff(initial=0.1, maximum=1.0, healthy_after=60)
    delays, delay = [], None
    for _ in range(6):
        delay = policy.next_delay(delay, 0.5)
        delays.append(delay)
    assert [0.1, 0.2, 0.4, 0.8, 1.0, 1.0] == delays


def test_a_healthy_run_resets_the_pause() -> None:
    """A loop that ran for the healthy time before failing restarts after the initial pause."""
    assert 0.1 == Backoff(initial=0.1, maximum=30, healthy_after=60).next_delay(16.0, 60.0)


async def test_a_failing_loop_is_restarted_and_reported() -> None:
    """A loop raising once is restarted; its state names the error and counts the restart."""
    runs: list[int] = []
    running_again = asyncio.Event()

    async def loop() -> None:
        runs.append(1)
        if len(runs) == 1:
            raise RuntimeError("boom")
        running_again.set()
        await asyncio.Event().wait()

    before = restarts_counted("unit-fails-once")
    supervisor = Supervisor(Backoff(initial=0.01))
    supervisor.add("unit-fails-once", loop)
    supervisor.start()
    try:
        await asyncio.wait_for(running_again.wait(), 5)
        assert await supervisor.wait_until(supervisor.ready, 5)
        state = supervisor.report()["unit-fails-once"]
    finally:
        await supervisor.stop()
    assert (True, 1, "RuntimeError: boom") == (
        state["alive"],
        state["restarts"],
        state["last_error"],
    )
    assert state["last_failure_at"] is not None
    assert before + 1 == restarts_counted("unit-fails-once")


async def test_a_loop_waiting_to_restart_is_not_ready() -> None:
    """While a failed loop waits out its pause it is reported down, with the pause."""
    gate = Gate()
    started = asyncio.Event()

    async def failing() -> None:
        raise ValueError("bad value")

    async def healthy() -> None:
        started.set()
        await asyncio.Event().wait()

    supervisor = Supervisor(Backoff(initial=0.5), sleep=gate.sleep)
    supervisor.add("unit-healthy", healthy)
    supervisor.add("unit-down", failing)
    supervisor.start()
    try:
        await asyncio.wait_for(started.wait(), 5)
        assert await supervisor.wait_until(lambda: not supervisor.states["unit-down"].alive, 5)
        report = supervisor.report()
        ready = supervisor.ready()
    finally:
        await supervisor.stop()
    assert False is ready
    assert (True, False) == (report["unit-healthy"]["alive"], report["unit-down"]["alive"])
    assert ("ValueError: bad value", 0.5) == (
        report["unit-down"]["last_error"],
        report["unit-down"]["backoff_seconds"],
    )
    assert [0.5] == gate.delays


async def test_a_loop_that_returns_is_restarted() -> None:
    """A loop that returns (nobody cancelled it) counts as a failure and is started again."""
    runs: list[int] = []
    third = asyncio.Event()

    async def returns() -> None:
        runs.append(1)
        if len(runs) == 3:
            third.set()
            await asyncio.Event().wait()

    supervisor = Supervisor(Backoff(initial=0.01))
    supervisor.add("unit-returns", returns)
    supervisor.start()
    try:
        await asyncio.wait_for(third.wait(), 5)
        state = supervisor.report()["unit-returns"]
    finally:
        await supervisor.stop()
    assert (2, "LoopReturned: the loop unit-returns returned") == (
        state["restarts"],
        state["last_error"],
    )


async def test_stop_cancels_every_loop_without_counting_a_failure() -> None:
    """Stopping cancels and awaits every loop; a cancellation is not a failure."""
    started = asyncio.Event()
    cancelled = asyncio.Event()

    async def loop() -> None:
        started.set()
        try:
            await asyncio.Event().wait()
        finally:
            cancelled.set()

    supervisor = Supervisor()
    supervisor.add("unit-stopped", loop)
    supervisor.start()
    await asyncio.wait_for(started.wait(), 5)
    await supervisor.stop()
    assert (True, 0, False) == (
        cancelled.is_set(),
        supervisor.states["unit-stopped"].restarts,
        supervisor.ready(),
    )


async def test_a_failure_is_logged_with_its_traceback(caplog: pytest.LogCaptureFixture) -> None:
    """The failure is one structured log line: loop name, error type and the traceback."""
    logs.configure("INFO", json=True)
    failed = asyncio.Event()

    async def loop() -> None:
        if not failed.is_set():
            failed.set()
            raise KeyError("missing")
        await asyncio.Event().wait()

    supervisor = Supervisor(Backoff(initial=0.01))
    supervisor.add("unit-logged", loop)
    with caplog.at_level(logging.ERROR):
        supervisor.start()
        try:
            await asyncio.wait_for(failed.wait(), 5)
            assert await supervisor.wait_until(
                lambda: supervisor.states["unit-logged"].restarts == 1, 5
            )
        finally:
            await supervisor.stop()
    events = [r.msg for r in caplog.records if isinstance(r.msg, dict)]
    failures = [e for e in events if e.get("event") == "loop_failed"]
    assert 1 == len(failures)
    assert ("unit-logged", "KeyError", "error") == (
        failures[0]["loop"],
        failures[0]["error"],
        failures[0]["level"],
    )
    assert "KeyError: 'missing'" in failures[0]["exception"]
    assert "Traceback" in failures[0]["exception"]
