"""CPU time and memory of processes, from /proc (Linux): for the load benchmarks' per-process
figures. CPU is user + system time; memory is PSS (shared pages counted once across the
processes sharing them), with RSS beside it."""

from __future__ import annotations

import os
import time
from dataclasses import dataclass, field
from pathlib import Path

TICKS = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int, children: bool = False) -> float:
    """User + system CPU seconds the process has used (0 if it is gone); with ``children``,
    also those of its children that ended and were waited for."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (FileNotFoundError, ProcessLookupError):
        return 0.0
    own = int(fields[11]) + int(fields[12])
    return (own + (int(fields[13]) + int(fields[14]) if children else 0)) / TICKS


def postgres_cpu_seconds() -> float:
    """CPU seconds of the PostgreSQL server: its live processes, plus what the backends that
    ended have used (the postmaster's waited-for children), so a backend that ends during a
    measurement is still counted."""
    return sum(cpu_seconds(pid, children=True) for pid in postgres_pids())


def memory_kib(pid: int) -> dict[str, int]:
    """PSS and RSS in KiB (zeros if the process is gone)."""
    found = {"pss_kib": 0, "rss_kib": 0}
    try:
        with open(f"/proc/{pid}/smaps_rollup") as rollup:
            for line in rollup:
                key, _, rest = line.partition(":")
                if key in ("Pss", "Rss"):
                    found[f"{key.lower()}_kib"] = int(rest.split()[0])
    except (FileNotFoundError, ProcessLookupError, PermissionError):
        pass
    return found


def postgres_pids() -> list[int]:
    """Every process named postgres on the machine (the server and its backends)."""
    found = []
    for name in os.listdir("/proc"):
        if name.isdigit():
            try:
                comm = Path(f"/proc/{name}/comm").read_text().strip()
            except (FileNotFoundError, ProcessLookupError):
                continue
            if comm.startswith("postgres"):
                found.append(int(name))
    return found


@dataclass
class CpuWatch:
    """CPU seconds of named groups of processes between ``start`` and ``stop``."""

    groups: dict[str, list[int]]
    started: float = 0.0
    before: dict[int, float] = field(default_factory=dict)

    postgres_before: float = 0.0

    def start(self) -> None:
        self.started = time.monotonic()
        self.before = {pid: cpu_seconds(pid) for pids in self.groups.values() for pid in pids}
        self.postgres_before = postgres_cpu_seconds()

    def stop(self) -> dict[str, dict[str, float]]:
        """Per group (and the PostgreSQL server, every database on it): CPU seconds used and
        the average share of one core, in %."""
        elapsed = max(time.monotonic() - self.started, 1e-9)
        used = {
            name: sum(cpu_seconds(pid) - self.before.get(pid, 0.0) for pid in pids)
            for name, pids in self.groups.items()
        }
        used["postgresql"] = postgres_cpu_seconds() - self.postgres_before
        return {
            name: {"cpu_s": round(s, 2), "cpu_percent": round(100 * s / elapsed, 1)}
            for name, s in used.items()
        }
