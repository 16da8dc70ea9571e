"""A real server process for the browser tests (a helper, not tests).

``uvicorn --factory dispatch.app:create_app`` on 127.0.0.1, its log in a file, ready when
``/readyz`` says so (waited for with a deadline, never a bare sleep). ``restart`` starts it
again on the same port, so a page that was open reconnects to the same address.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[2]
HOST = "127.0.0.1"
READY_TIMEOUT = 30.0


def free_port() -> int:
    """A port nothing listens on right now (the kernel's choice)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((HOST, 0))
        port: int = probe.getsockname()[1]
        return port


@dataclass
class WebServer:
    """One server process; ``settings`` become ``INFOFIRST_<NAME>`` variables."""

    name: str
    database_url: str
    log_dir: Path
    settings: dict[str, str]
    port: int = field(default_factory=free_port)
    process: subprocess.Popen[bytes] | None = None
    starts: int = 0

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.port}"

    @property
    def log_path(self) -> Path:
        return self.log_dir / f"server-{self.name}-{self.port}.log"

    def log_tail(self, lines: int = 40) -> str:
        """The end of the server's log (for failure messages)."""
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""

    def start(self) -> None:
        """Start the process (on ``port``) and wait until it is ready."""
        env = {
            **os.environ,
            "INFOFIRST_DATABASE_URL": self.database_url,
            "INFOFIRST_ENV": "test",
            "INFOFIRST_LOG_LEVEL": "WARNING",
            "INFOFIRST_LOG_JSON": "true",
            "INFOFIRST_ALLOWED_ORIGINS": "[]",  # same-origin pages only: proves that is enough
        }
        env.update({f"INFOFIRST_{key.upper()}": value for key, value in self.settings.items()})
        command = [
            sys.executable, "-m", "uvicorn", "--factory", "dispatch.app:create_app",
            "--host", HOST, "--port", str(self.port),
            "--no-access-log", "--ws-per-message-deflate", "false",
            "--timeout-graceful-shutdown", "2",  # open wall screens must not hold a restart
        ]  # fmt: skip
        self.starts += 1
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(  # noqa: S603 - our own interpreter and arguments
                command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT
            )
        self.wait_ready()

    def wait_ready(self, timeout: float = READY_TIMEOUT) -> None:
        """Wait until /readyz answers 200 (database and alert listener)."""
        assert self.process is not None
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"server {self.name} exited:\n{self.log_tail()}")
            try:
                if httpx.get(f"{self.url}/readyz", timeout=2).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        raise TimeoutError(f"server {self.name} not ready after {timeout} s:\n{self.log_tail()}")

    def stop(self) -> None:
        """SIGTERM, then SIGKILL if it has not exited within 5 s."""
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=5)

    def restart(self) -> None:
        """Stop, then start again on the same port."""
        self.stop()
        self.start()
