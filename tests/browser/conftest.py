"""Fixtures of the browser tests: a real server on a test database, and Debian's Chromium.

The database (``INFOFIRST_BROWSER_DATABASE_URL``, default ``infofirst_test_browser`` on the
local server) is migrated and the demo county loaded with ``reset`` (as ``infofirst demo load
--reset`` does) once per run, by ``tests.databases.prepare_demo_database``; one server process
serves all the browser tests (it and the browser stop when they are done, before the other test
packages run). Chromium is ``/usr/bin/chromium`` (``INFOFIRST_CHROMIUM`` to override), driven by
Playwright; Playwright never downloads a browser, and a missing Chromium fails the run
(``scripts/system-deps.sh`` installs it). Every page records its console errors and uncaught
exceptions, and a test fails if any appear that it did not expect.
"""

from __future__ import annotations

import asyncio
import os
import re
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest
from playwright.async_api import (
    Browser,
    BrowserContext,
    ConsoleMessage,
    Error,
    Page,
    async_playwright,
)

from tests.browser.server import WebServer
from tests.databases import prepare_demo_database
from tests.server_process import ROOT

os.environ["PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD"] = "1"  # never fetch a browser from the internet

BROWSER_DATABASE_URL = os.environ.get(
    "INFOFIRST_BROWSER_DATABASE_URL",
    "postgresql+asyncpg://postgres@127.0.0.1:5432/infofirst_test_browser",
)
CHROMIUM = Path(os.environ.get("INFOFIRST_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--autoplay-policy=no-user-gesture-required",  # the wall screen's alarm may sound
]
SCREENSHOTS = ROOT / "docs" / "screenshots"
# Fast heartbeats so a silent connection is noticed in seconds; nothing escalates during a run.
SERVER_SETTINGS = {
    "heartbeat_seconds": "2",
    "alert_poll_seconds": "1",
    "listener_check_seconds": "1",
    "alert_ack_timeout_seconds": "3600",
    # the wall rings again every 2 s while unanswered; a silence lasts 4 s
    "wall_alarm_repeat_seconds": "2",
    "wall_silence_seconds": "4",
}
# What Chromium logs as a console error when the network is down on purpose.
NETWORK_ERRORS = (
    re.compile(r"^Failed to load resource: net::ERR_"),
    re.compile(r"^WebSocket connection to '.*' failed"),
)


@pytest.fixture(scope="session")
async def browser_db() -> str:
    """The browser tests' database: migrated, the demo county freshly loaded."""
    return await prepare_demo_database(BROWSER_DATABASE_URL, empty="reset")


@pytest.fixture(scope="session")
def log_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Where the server processes write their logs."""
    return tmp_path_factory.mktemp("web-servers")


@pytest.fixture(scope="package")
def make_server(browser_db: str, log_dir: Path) -> Iterator[list[WebServer]]:
    """Every server process started (stopped after the browser tests, whatever happened)."""
    started: list[WebServer] = []
    try:
        yield started
    finally:
        for server in started:
            server.stop()


@pytest.fixture(scope="package")
async def servers(
    browser_db: str, log_dir: Path, make_server: list[WebServer]
) -> tuple[WebServer, WebServer]:
    """Two server processes on the same database, started together: the pages' server, and a
    spare one for sending while the first is down."""
    found = (
        WebServer("web", browser_db, log_dir, dict(SERVER_SETTINGS)),
        WebServer("spare", browser_db, log_dir, dict(SERVER_SETTINGS)),
    )
    make_server.extend(found)
    await asyncio.gather(*(asyncio.to_thread(one.start) for one in found))
    return found


@pytest.fixture(scope="package")
def server(servers: tuple[WebServer, WebServer]) -> WebServer:
    """The server of the pages and the API."""
    return servers[0]


@pytest.fixture(scope="package")
def spare_server(servers: tuple[WebServer, WebServer]) -> WebServer:
    """A second server process on the same database (the pages never talk to it)."""
    return servers[1]


@pytest.fixture(scope="package")
async def browser() -> AsyncIterator[Browser]:
    """Debian's Chromium, headless, driven by Playwright."""
    if not await asyncio.to_thread(CHROMIUM.exists):
        pytest.fail(
            f"Chromium is missing at {CHROMIUM}: run scripts/system-deps.sh (it installs Debian's"
            " chromium package), or set INFOFIRST_CHROMIUM to a Chromium binary"
        )
    async with async_playwright() as playwright:
        launched = await playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
        )
        try:
            yield launched
        finally:
            await launched.close()


@dataclass
class Pages:
    """Opens pages in fresh browser contexts and keeps every script error they log."""

    browser: Browser
    base_url: str
    errors: list[str] = field(default_factory=list)
    allowed: list[re.Pattern[str]] = field(default_factory=list)
    contexts: list[BrowserContext] = field(default_factory=list)

    def allow(self, *patterns: re.Pattern[str]) -> None:
        """Console errors matching these are expected in this test (e.g. the network is down)."""
        self.allowed.extend(patterns)

    async def new(self, path: str, width: int = 1280, height: int = 900) -> Page:
        """A page of its own context (its own session storage), opened at ``path``."""
        context = await self.browser.new_context(
            base_url=self.base_url,
            viewport={"width": width, "height": height},
            locale="zh-CN",
            timezone_id="Asia/Shanghai",
        )
        context.set_default_timeout(10_000)
        self.contexts.append(context)
        page = await context.new_page()
        page.on("console", self._console)
        page.on("pageerror", self._page_error)
        await page.goto(path)
        return page

    def _console(self, message: ConsoleMessage) -> None:
        if message.type == "error":
            self.errors.append(f"console: {message.text} ({message.location.get('url', '')})")

    def _page_error(self, error: Error) -> None:
        self.errors.append(f"pageerror: {error.message}\n{error.stack}")

    def unexpected(self) -> list[str]:
        """The errors no pattern allows."""
        return [
            e
            for e in self.errors
            if not any(p.search(e.removeprefix("console: ")) for p in self.allowed)
        ]

    async def close(self) -> None:
        for context in self.contexts:
            await context.close()


@pytest.fixture
async def pages(browser: Browser, server: WebServer) -> AsyncIterator[Pages]:
    """Pages for one test; the test fails if any of them logged an unexpected error."""
    found = Pages(browser, server.url)
    try:
        yield found
    finally:
        await found.close()
    assert [] == found.unexpected(), "the pages logged script errors"


@pytest.fixture
async def http(server: WebServer) -> AsyncIterator[httpx.AsyncClient]:
    """An HTTP client for the server's API (set-up and checks beside the browser)."""
    async with httpx.AsyncClient(base_url=server.url, timeout=15) as client:
        yield client


@pytest.fixture(scope="session")
def screenshots() -> Path:
    """Where the tests save the README's screenshots."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS
