"""Processes of the HA lab (helpers, not tests): start one in its own session (as the
``postgres`` OS user when we are root: PostgreSQL refuses root), wait for an event with a
deadline, and signal only what the lab started (a process group, or a postmaster and its
children found in /proc).
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from tests.server_process import HOST


def port_in_use(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        return 0 == probe.connect_ex((HOST, port))


def wait_for(what: str, check: Callable[[], bool], timeout: float, every: float = 0.2) -> float:
    """Poll ``check`` until it is true (seconds it took); TimeoutError after ``timeout``."""
    start = time.monotonic()
    while time.monotonic() - start < timeout:
        if check():
            return time.monotonic() - start
        time.sleep(every)
    raise TimeoutError(f"{what}: not within {timeout} s")


def as_postgres() -> dict[str, Any]:
    """Popen arguments that run a command as the postgres OS user when we are root."""
    if os.geteuid() != 0:
        return {}
    return {"user": "postgres", "group": "postgres"}


def spawn(command: list[str], log: Path, home: Path) -> subprocess.Popen[bytes]:
    """Start ``command`` in a session of its own (as postgres), its output appended to ``log``."""
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(home), "LANG": "C.UTF-8"}
    with log.open("ab") as out:
        return subprocess.Popen(  # noqa: S603 - fixed programs, our own arguments
            command, cwd=home, env=env, stdout=out, stderr=subprocess.STDOUT,
            start_new_session=True, **as_postgres(),
        )  # fmt: skip


def run_as_postgres(command: list[str], home: Path, timeout: float) -> str:
    """Run ``command`` (as postgres) to its end; its output, or RuntimeError with it."""
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(home), "LANG": "C.UTF-8"}
    done = subprocess.run(  # noqa: S603 - fixed programs, our own arguments
        command, cwd=home, env=env, capture_output=True, text=True, timeout=timeout,
        check=False, **as_postgres(),
    )  # fmt: skip
    if done.returncode != 0:
        raise RuntimeError(
            f"{' '.join(command)} failed:\n{done.stdout[-2000:]}{done.stderr[-2000:]}"
        )
    return str(done.stdout)


def children(pid: int) -> list[int]:
    """The direct children of a process (from /proc)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
            found.append(int(entry.name))
    return found


def kill9_tree(pid: int) -> None:
    """SIGKILL a process and its children (a postmaster and its backends)."""
    for each in [pid, *children(pid)]:
        with contextlib.suppress(ProcessLookupError):
            os.kill(each, signal.SIGKILL)


def postmaster_pid(data: Path) -> int | None:
    """The pid of the postmaster of data directory ``data``, if one runs."""
    try:
        pid = int((data / "postmaster.pid").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return None
    try:
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
    except OSError:
        return None
    return pid if str(data).encode() in cmdline else None


def kill9_group(process: subprocess.Popen[bytes]) -> None:
    """SIGKILL a process started by ``spawn`` and everything in its session's group."""
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)


def stop_group(process: subprocess.Popen[bytes], timeout: float = 10) -> None:
    """SIGTERM to the group, SIGKILL after ``timeout`` s."""
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)
