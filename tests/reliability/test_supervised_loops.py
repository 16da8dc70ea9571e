"""Nothing dies silently: an unexpected exception injected into each background loop (the alert
listener's three loops, the escalator, the road watcher) is logged, shown in ``/readyz`` while
the loop waits to restart, the loop restarts, and no alert is lost.

The server runs in this process (uvicorn with the app's real lifespan, on the reliability
database) so a fault can be injected: a function the loop calls raises ``RuntimeError`` once,
and only in that loop's task. The supervisor's pause before a restart is held open by the test
(a gate), so the "down" state is observed without racing a timer.
"""

from __future__ import annotations

import asyncio
import contextlib
import inspect
import logging
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from functools import wraps
from typing import Any

import asyncpg
import httpx
import pytest
import uvicorn
from fastapi import FastAPI

from alerts import escalation, stream
from dispatch.app import create_app
from dispatch.http.supervisor import Supervisor
from dispatch.settings import Settings
from tests.reliability.servers import (
    Screen,
    alert_body,
    bearer,
    eventually,
    open_case,
    post_alert,
    sign_in,
    stream_head,
)
from tests.server_process import HOST, free_port

SENDER = "township-th-nandun"
RECEIVER = "cathlab-county-hospital"
COUNTY = "county-hospital"


@dataclass
class InProcess:
    """The address of the in-process server, shaped like ``servers.Server`` for the helpers."""

    name: str
    port: int

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.port}"

    @property
    def ws_url(self) -> str:
        return f"ws://{HOST}:{self.port}"


class Gate:
    """The supervisor's pause before a restart, lasting until the test opens it."""

    def __init__(self) -> None:
        self.opened = asyncio.Event()

    async def sleep(self, _delay: float) -> None:
        await self.opened.wait()


@dataclass
class Running:
    app: FastAPI
    server: InProcess
    gate: Gate

    @property
    def supervisor(self) -> Supervisor:
        supervisor: Supervisor = self.app.state.supervisor
        return supervisor


@pytest.fixture
async def running(reliability_db: str) -> AsyncIterator[Running]:
    """The app served by uvicorn in this process, its real lifespan started, ready."""
    settings = Settings(
        env="test",
        database_url=reliability_db,
        log_level="WARNING",
        heartbeat_seconds=1,
        alert_poll_seconds=1,
        listener_check_seconds=0.5,
        escalation_check_seconds=0.2,
        road_reload_seconds=0.2,
        alert_ack_timeout_seconds=3600,
        escalation_reminder_seconds=1,
        loop_backoff_initial_seconds=0.05,
    )
    app = create_app(settings)
    gate = Gate()
    app.state.supervisor.sleep = gate.sleep
    port = free_port()
    config = uvicorn.Config(
        app,
        host=HOST,
        port=port,
        lifespan="on",
        log_config=None,
        access_log=False,
        ws="websockets-sansio",
        ws_per_message_deflate=False,
        timeout_graceful_shutdown=2,
    )
    server = uvicorn.Server(config)
    serving = asyncio.create_task(server.serve())
    address = InProcess("in-process", port)
    try:

        async def ready() -> bool:
            async with httpx.AsyncClient(timeout=2) as http:
                with contextlib.suppress(httpx.HTTPError):
                    return 200 == (await http.get(f"{address.url}/readyz")).status_code
            return False

        assert await eventually(ready, 30), "the in-process server did not become ready"
        yield Running(app, address, gate)
    finally:
        gate.opened.set()
        server.should_exit = True
        await asyncio.wait_for(serving, 15)


def raise_once_in(task_name: str, original: Callable[..., Any]) -> Callable[..., Any]:
    """``original``, except that its first call from the task ``task_name`` raises."""
    fired: list[bool] = []

    def check() -> None:
        task = asyncio.current_task()
        if not fired and task is not None and task.get_name() == task_name:
            fired.append(True)
            raise RuntimeError(f"injected fault in {task_name}")

    if inspect.iscoroutinefunction(original):

        @wraps(original)
        async def async_wrapper(*args: Any, **kwargs: Any) -> Any:
            check()
            return await original(*args, **kwargs)

        return async_wrapper

    @wraps(original)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        check()
        return original(*args, **kwargs)

    return wrapper


def inject(loop: str, app: FastAPI, monkeypatch: pytest.MonkeyPatch) -> None:
    """Make a function ``loop`` calls raise once, in that loop only."""
    if loop == "alert-listener":  # the listener proves its connection with SELECT 1
        monkeypatch.setattr(
            asyncpg.Connection, "fetchval", raise_once_in(loop, asyncpg.Connection.fetchval)
        )
    elif loop == "alert-fetcher":  # reading the stream's new frames
        monkeypatch.setattr(
            stream, "frames_after_many", raise_once_in(loop, stream.frames_after_many)
        )
    elif loop == "alert-poller":  # the streams to ring
        hub = app.state.alerts_hub
        monkeypatch.setattr(hub, "streams", raise_once_in(loop, hub.streams))
    elif loop == "alert-escalation":
        monkeypatch.setattr(
            escalation, "escalate_due", raise_once_in(loop, escalation.escalate_due)
        )
    elif loop == "road-network-watch":
        roads = app.state.roads
        monkeypatch.setattr(roads, "refresh", raise_once_in(loop, roads.refresh))
    else:
        raise AssertionError(f"no fault for {loop}")


LOOPS = [
    "alert-listener",
    "alert-fetcher",
    "alert-poller",
    "alert-escalation",
    "road-network-watch",
]


async def readyz(http: httpx.AsyncClient, server: InProcess) -> tuple[int, dict[str, Any]]:
    response = await http.get(f"{server.url}/readyz")
    return response.status_code, response.json()


def test_every_background_loop_is_supervised(running: Running) -> None:
    """The supervisor runs the listener's three loops, the escalators (alerts, unread ECGs), the
    drills loop, the road watcher, the writers of failed sign-ins (audit, refusals) and the
    websockets' session watch."""
    others = [
        "audit-login-failures",
        "drills",
        "ecg-escalation",
        "login-refusals",
        "ws-session-watch",
    ]
    assert sorted([*LOOPS, *others]) == sorted(running.supervisor.states)


@pytest.mark.parametrize("loop", LOOPS)
async def test_a_failing_loop_is_logged_shown_restarted_and_loses_no_alert(
    running: Running,
    http: httpx.AsyncClient,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
    loop: str,
) -> None:
    """An exception in the loop: logged, /readyz 503 naming it, restarted, ready, every alert
    POSTed before, during and after the failure reaches the connected screen."""
    server, supervisor = running.server, running.supervisor
    state = supervisor.states[loop]
    sender = bearer(await sign_in(http, server, SENDER))
    receiver = await sign_in(http, server, RECEIVER)
    case_id = await open_case(http, server, sender)
    head = await stream_head(http, server, receiver, COUNTY)
    screen = Screen([server], f"/ws/facilities/{COUNTY}/alerts", receiver, since=head)
    screen.start()
    posted: list[int | None] = []
    try:
        assert await screen.wait_for(lambda s: len(s.connects) >= 1, 5), screen.closes
        inject(loop, running.app, monkeypatch)
        before = await post_alert(http, server, sender, alert_body(case_id, 1))
        posted.append(before.alert_id)

        assert await supervisor.wait_until(lambda: not state.alive, 10), supervisor.report()
        down_status, down = await readyz(http, server)
        during = await post_alert(http, server, sender, alert_body(case_id, 2))
        posted.append(during.alert_id)

        running.gate.opened.set()
        assert await supervisor.wait_until(lambda: state.alive, 10), supervisor.report()

        async def ready_again() -> bool:
            return 200 == (await readyz(http, server))[0]

        assert await eventually(ready_again, 10), await readyz(http, server)
        after = await post_alert(http, server, sender, alert_body(case_id, 3))
        posted.append(after.alert_id)
        arrived = await screen.wait_for(lambda s: set(posted) <= set(s.arrived), 10)
        up_status, up = await readyz(http, server)
    finally:
        await screen.stop()

    assert [201, 201, 201] == [before.status, during.status, after.status]
    shown = down["checks"]["supervisor"]["loops"][loop]
    assert (503, False, False, 1, f"RuntimeError: injected fault in {loop}") == (
        down_status,
        down["ready"],
        shown["alive"],
        shown["restarts"],
        shown["last_error"],
    )
    assert shown["last_failure_at"] is not None
    assert (200, True, 1) == (
        up_status,
        up["checks"]["supervisor"]["loops"][loop]["alive"],
        up["checks"]["supervisor"]["loops"][loop]["restarts"],
    )
    assert arrived, f"missing {set(posted) - set(screen.arrived)}; {screen.closes}"
    assert sorted(posted) == sorted(set(screen.created_ids()))
    failures = [
        r.msg
        for r in caplog.records
        if isinstance(r.msg, dict) and r.msg.get("event") == "loop_failed"
    ]
    assert [(loop, "RuntimeError", logging.getLevelName(logging.ERROR).lower())] == [
        (f["loop"], f["error"], f["level"]) for f in failures
    ]
    assert f"RuntimeError: injected fault in {loop}" in failures[0]["exception"]
