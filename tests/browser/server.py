"""A real server process for the browser tests (a helper, not tests).

``uvicorn --factory dispatch.app:create_app`` on 127.0.0.1, its log in a file, ready when
``/readyz`` says so (waited for with a deadline, never a bare sleep). ``restart`` starts it
again on the same port, so a page that was open reconnects to the same address.
"""

from __future__ import annotations

import subprocess
from dataclasses import dataclass, field
from pathlib import Path

from tests import server_process
from tests.server_process import HOST, READY_TIMEOUT, free_port


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
        return server_process.log_tail(self.log_path, lines)

    def start(self) -> None:
        """Start the process (on ``port``) and wait until it is ready."""
        settings = {"allowed_origins": "[]", **self.settings}  # same-origin pages suffice
        self.starts += 1
        self.process = server_process.start(
            self.port,
            self.database_url,
            self.log_path,
            settings,
            "--timeout-graceful-shutdown",
            "2",  # open wall screens must not hold a restart
        )
        self.wait_ready()

    def wait_ready(self, timeout: float = READY_TIMEOUT) -> None:
        """Wait until /readyz answers 200 (database and alert listener)."""
        if self.process is None:
            raise RuntimeError(f"server {self.name} was never started")
        server_process.wait_ready(self.process, self.url, self.name, self.log_path, timeout)

    def stop(self) -> None:
        """SIGTERM, then SIGKILL if it has not exited within 5 s."""
        if self.process is not None:
            server_process.stop(self.process)

    def restart(self) -> None:
        """Stop, then start again on the same port."""
        self.stop()
        self.start()
