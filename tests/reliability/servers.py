"""Real server processes and real screens for the reliability tests (helpers, not tests).

- ``Server``: one ``uvicorn --factory dispatch.app:create_app`` process on 127.0.0.1, its log in
  a file, ready when ``/readyz`` says so (waited for with a deadline, never a bare sleep).
- ``Screen``: a wall screen following a stream over websockets; when its connection drops it
  reconnects (to the next server if asked) with ``since=<last seq>``, and keeps every frame.
- ``post_alerts``: many POST /alerts with bounded concurrency, each timed.

Everything talks only to 127.0.0.1, and every loop is bounded in count and time.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import subprocess
import time
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed, InvalidStatus

from tests import server_process
from tests.server_process import HOST, READY_TIMEOUT, free_port

API = "/api/v1"


def rss_kib(pid: int) -> int:
    """The resident memory of a process (VmRSS, KiB)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise RuntimeError(f"no VmRSS for process {pid}")


@dataclass
class Server:
    """One server process of the service."""

    name: str
    port: int
    process: subprocess.Popen[bytes]
    log_path: Path

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.port}"

    @property
    def ws_url(self) -> str:
        return f"ws://{HOST}:{self.port}"

    @property
    def pid(self) -> int:
        return self.process.pid

    def log_tail(self, lines: int = 30) -> str:
        """The end of the server's log (for failure messages)."""
        return server_process.log_tail(self.log_path, lines)

    def readyz(self, timeout: float = 2.0) -> tuple[int, dict[str, Any]]:
        """GET /readyz: (status, body); (0, {}) when the process does not answer."""
        return server_process.readyz(self.url, timeout)

    def wait_ready(self, timeout: float = READY_TIMEOUT) -> dict[str, Any]:
        """Wait until /readyz answers 200 (database and alert listener); its body."""
        return server_process.wait_ready(self.process, self.url, self.name, self.log_path, timeout)

    def kill9(self) -> None:
        """SIGKILL, and reap it."""
        server_process.kill9(self.process)

    def stop(self) -> None:
        """SIGTERM, then SIGKILL if it has not exited within 5 s."""
        server_process.stop(self.process)


def start_server(name: str, database_url: str, log_dir: Path, **settings: str) -> Server:
    """Start a server process (without waiting): ``settings`` become ``INFOFIRST_<NAME>``."""
    port = free_port()
    log_path = log_dir / f"server-{name}-{port}.log"
    process = server_process.start(
        port, database_url, log_path, {"database_pool_size": "20", **settings}
    )
    return Server(name, port, process, log_path)


@contextlib.contextmanager
def running(
    names: list[str], database_url: str, log_dir: Path, **settings: str
) -> Iterator[list[Server]]:
    """Server processes started together, ready, and always stopped afterwards."""
    started: list[Server] = []
    try:
        for name in names:
            started.append(start_server(name, database_url, log_dir, **settings))
        for server in started:
            server.wait_ready()
        yield started
    finally:
        for server in started:
            server.stop()


async def sign_in(client: httpx.AsyncClient, server: Server, username: str) -> str:
    """A bearer token for a demo user (password ``demo``); valid on every server."""
    response = await client.post(
        f"{server.url}{API}/auth/token", data={"username": username, "password": "demo"}
    )
    assert 200 == response.status_code, response.text
    value: str = response.json()["access_token"]
    return value


def bearer(token: str) -> dict[str, str]:
    """The Authorization header of a token."""
    return {"Authorization": f"Bearer {token}"}


async def ws_ticket(client: httpx.AsyncClient, server: Server, token: str) -> str:
    """A one-time websocket ticket for a bearer token (POST /auth/ws-ticket)."""
    response = await client.post(f"{server.url}{API}/auth/ws-ticket", headers=bearer(token))
    response.raise_for_status()  # an httpx.HTTPError, like a server that does not answer
    value: str = response.json()["ticket"]
    return value


async def ws_url(
    client: httpx.AsyncClient, server: Server, path: str, token: str, **params: int
) -> str:
    """The websocket URL of ``path`` on ``server`` with a fresh ticket and ``params``."""
    query = "&".join([*(f"{k}={v}" for k, v in params.items()), ""])
    return f"{server.ws_url}{path}?{query}ticket={await ws_ticket(client, server, token)}"


async def stream_head(
    client: httpx.AsyncClient, server: Server, token: str, facility_id: str
) -> int:
    """The last seq of a facility's stream (GET /facilities/{id}/alerts)."""
    response = await client.get(
        f"{server.url}{API}/facilities/{facility_id}/alerts",
        params={"since": 0, "limit": 1},
        headers=bearer(token),
    )
    assert 200 == response.status_code, response.text
    head: int = response.json()["head"]
    return head


# --- screens ---------------------------------------------------------------------------------


@dataclass
class Screen:
    """A screen following ``path`` (e.g. ``/ws/facilities/x/alerts``), reconnecting by itself.

    ``servers`` are tried in turn: after a dropped connection the screen moves to the next
    one when ``failover`` is set, else it reconnects to the same one. Frames (not heartbeats)
    are kept in arrival order, each with the monotonic time it arrived (``received_at``).
    """

    servers: list[Server]
    path: str
    token: str
    since: int = 0
    failover: bool = False
    max_connects: int = 50
    frames: list[dict[str, Any]] = field(default_factory=list)
    arrived: dict[int, float] = field(default_factory=dict)  # alert id of alert.created → time
    connects: list[tuple[str, int]] = field(default_factory=list)  # (server, since)
    closes: list[str] = field(default_factory=list)
    heartbeats: int = 0
    _changed: asyncio.Event = field(default_factory=asyncio.Event)
    _task: asyncio.Task[None] | None = None
    _current: int = 0
    connection: ClientConnection | None = None

    @property
    def last_seq(self) -> int:
        return max([self.since, *(int(f["seq"]) for f in self.frames)])

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name=f"screen {self.path}")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        if self.connection is not None:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self.connection.close(), 2)

    async def _run(self) -> None:
        failures = 0
        while len(self.connects) < self.max_connects:
            server = self.servers[self._current % len(self.servers)]
            since = self.last_seq
            try:
                async with httpx.AsyncClient(timeout=3) as client:
                    url = await ws_url(client, server, self.path, self.token, since=since)
                async with connect(url, open_timeout=3, close_timeout=1) as connection:
                    self.connection = connection
                    self.connects.append((server.name, since))
                    self._changed.set()
                    failures = 0
                    async for message in connection:
                        self._take(json.loads(message))
                self.closes.append(f"{server.name}: closed cleanly")
            except ConnectionClosed as exc:
                self.closes.append(f"{server.name}: {exc}")
            except (OSError, TimeoutError, InvalidStatus, httpx.HTTPError) as exc:
                self.closes.append(f"{server.name}: {type(exc).__name__}: {exc}")
                failures += 1
            self.connection = None
            self._changed.set()
            if self.failover:
                self._current += 1
            await asyncio.sleep(min(0.05 * 2**failures, 1.0))  # back off while nobody answers

    def _take(self, frame: dict[str, Any]) -> None:
        if frame.get("type") == "heartbeat":
            self.heartbeats += 1
            return
        frame["received_at"] = time.monotonic()  # ours, not the server's
        self.frames.append(frame)
        if frame.get("type") == "alert.created":
            self.arrived.setdefault(int(frame["alert"]["id"]), frame["received_at"])
        self._changed.set()

    async def wait_for(self, condition: Callable[[Screen], bool], within: float) -> bool:
        """Wait until ``condition(self)`` holds, at most ``within`` s; whether it held."""
        deadline = time.monotonic() + within
        while not condition(self):
            left = deadline - time.monotonic()
            if left <= 0:
                return False
            self._changed.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._changed.wait(), left)
        return True

    def created_ids(self) -> list[int]:
        """Alert ids of the alert.created frames received (duplicates kept)."""
        return [int(f["alert"]["id"]) for f in self.frames if f["type"] == "alert.created"]

    def unique_by_seq(self) -> list[dict[str, Any]]:
        """The frames with duplicate seqs dropped, in seq order."""
        seen: dict[int, dict[str, Any]] = {}
        for frame in self.frames:
            seen.setdefault(int(frame["seq"]), frame)
        return [seen[seq] for seq in sorted(seen)]


def contiguous(seqs: list[int]) -> bool:
    """Whether the seqs are a run without holes (and without repeats)."""
    return seqs == list(range(seqs[0], seqs[0] + len(seqs))) if seqs else True


async def eventually(
    check: Callable[[], Awaitable[bool]], within: float, every: float = 0.1
) -> bool:
    """Ask ``check`` every ``every`` s until it says yes, at most ``within`` s; whether it did."""
    deadline = time.monotonic() + within
    while True:
        if await check():
            return True
        if time.monotonic() >= deadline:
            return False
        await asyncio.sleep(every)


# --- senders ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Sent:
    """One POST /alerts: its status, alert id (if created), seq, when it returned."""

    status: int
    alert_id: int | None
    seq: int | None
    returned_at: float
    body: dict[str, Any]


async def post_alert(
    client: httpx.AsyncClient,
    server: Server,
    headers: dict[str, str],
    body: dict[str, Any],
    key: str | None = None,
) -> Sent:
    """POST /alerts to one server."""
    sent = {**headers, "Idempotency-Key": key} if key is not None else headers
    response = await client.post(f"{server.url}{API}/alerts", json=body, headers=sent)
    returned = time.monotonic()
    try:
        data: dict[str, Any] = response.json()
    except ValueError:
        data = {"text": response.text}
    if 201 == response.status_code:
        return Sent(201, int(data["alert"]["id"]), int(data["seq"]), returned, data)
    return Sent(response.status_code, None, None, returned, data)


def alert_body(
    case_id: int, number: int, to_facility_id: str = "county-hospital"
) -> dict[str, Any]:
    """Alert number ``number`` for a case, to a PCI centre."""
    return {
        "case_id": case_id,
        "to_facility_id": to_facility_id,
        "pathway": "stemi",
        "summary": f"可靠性测试 #{number}: 胸痛, ST抬高",
        "vitals": {"hr": 90 + number % 30, "n": number},
        "eta_minutes": 20,
    }


async def open_case(client: httpx.AsyncClient, server: Server, headers: dict[str, str]) -> int:
    """A STEMI case opened by the signed-in township unit, at the Nandun village."""
    response = await client.post(
        f"{server.url}{API}/cases",
        json={"pathway": "stemi", "location": {"lon": 114.739124, "lat": 33.539841}},
        headers=headers,
    )
    assert 201 == response.status_code, response.text
    return int(response.json()["id"])


async def post_many(
    client: httpx.AsyncClient,
    server: Server,
    headers: dict[str, str],
    bodies: list[dict[str, Any]],
    concurrency: int = 4,
) -> list[Sent]:
    """POST every body to /alerts, at most ``concurrency`` at a time; results in body order."""
    gate = asyncio.Semaphore(concurrency)

    async def one(body: dict[str, Any]) -> Sent:
        async with gate:
            return await post_alert(client, server, headers, body)

    return list(await asyncio.gather(*(one(body) for body in bodies)))


# A screen in its own process, to be SIGSTOP'd: a small receive buffer (so the kernel cannot
# absorb the stream for it), one JSON line when connected and one when the server closes.
STOPPABLE_SCREEN = r"""
import asyncio, json, socket, sys
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed

async def main(url, port):
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    sock.connect(("127.0.0.1", port))
    frames, last = 0, 0
    async with connect(url, sock=sock, max_queue=4, close_timeout=1) as ws:
        print(json.dumps({"event": "connected"}), flush=True)
        try:
            async for message in ws:
                frame = json.loads(message)
                if frame.get("type") != "heartbeat":
                    frames, last = frames + 1, frame["seq"]
        except ConnectionClosed:
            pass
        code = ws.close_code
    print(json.dumps({"event": "closed", "code": code, "frames": frames, "last_seq": last}),
          flush=True)

asyncio.run(asyncio.wait_for(main(sys.argv[1], int(sys.argv[2])), 90))
"""
