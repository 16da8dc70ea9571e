"""Real server processes for the tests that need them (reliability, browser): a helper, not tests.

``uvicorn --factory dispatch.app:create_app`` on 127.0.0.1 with its log in a file, ready when
``/readyz`` answers 200 (waited for with a deadline, never a bare sleep), stopped with SIGTERM
and, after 5 s, SIGKILL.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[1]
HOST = "127.0.0.1"
READY_TIMEOUT = 90.0  # a loaded 2-core machine can take more than 30 s to start two servers


def free_port() -> int:
    """A port nothing listens on right now (the kernel's choice)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((HOST, 0))
        port: int = probe.getsockname()[1]
        return port


def start(
    port: int, database_url: str, log_path: Path, settings: dict[str, str], *options: str
) -> subprocess.Popen[bytes]:
    """Start a server process (without waiting); ``settings`` become ``INFOFIRST_<NAME>``."""
    env = {
        **os.environ,
        "INFOFIRST_DATABASE_URL": database_url,
        "INFOFIRST_ENV": "test",
        "INFOFIRST_LOG_LEVEL": "WARNING",
        "INFOFIRST_LOG_JSON": "true",
    }
    env.update({f"INFOFIRST_{key.upper()}": value for key, value in settings.items()})
    command = [
        sys.executable, "-m", "uvicorn", "--factory", "dispatch.app:create_app",
        "--host", HOST, "--port", str(port),
        "--no-access-log", "--ws-per-message-deflate", "false", *options,
    ]  # fmt: skip
    with log_path.open("ab") as log:
        return subprocess.Popen(  # noqa: S603 - our own interpreter and arguments
            command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT
        )


def log_tail(log_path: Path, lines: int = 30) -> str:
    """The end of a server's log (for failure messages)."""
    try:
        return "\n".join(log_path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return ""


def readyz(url: str, timeout: float = 2.0) -> tuple[int, dict[str, Any]]:
    """GET /readyz: (status, body); (0, {}) when the process does not answer."""
    try:
        response = httpx.get(f"{url}/readyz", timeout=timeout)
    except httpx.HTTPError:
        return 0, {}
    try:
        body = response.json()
    except ValueError:
        body = {}
    return response.status_code, body


def wait_ready(
    process: subprocess.Popen[bytes],
    url: str,
    name: str,
    log_path: Path,
    timeout: float = READY_TIMEOUT,
) -> dict[str, Any]:
    """Wait until /readyz answers 200 (database and alert listener); its body."""
    deadline = time.monotonic() + timeout
    last: tuple[int, dict[str, Any]] = (0, {})
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(
                f"server {name} exited ({process.returncode}):\n{log_tail(log_path)}"
            )
        last = readyz(url)
        if 200 == last[0]:
            return last[1]
        time.sleep(0.1)
    raise TimeoutError(
        f"server {name} not ready after {timeout} s (last {last}):\n{log_tail(log_path)}"
    )


def kill9(process: subprocess.Popen[bytes]) -> None:
    """SIGKILL, and reap it."""
    if process.poll() is None:
        process.send_signal(signal.SIGKILL)
    process.wait(timeout=10)


def stop(process: subprocess.Popen[bytes]) -> None:
    """SIGTERM, then SIGKILL if it has not exited within 5 s."""
    if process.poll() is not None:
        return
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=5)
    except subprocess.TimeoutExpired:
        kill9(process)
