"""Three etcd members for the HA lab (issue 17), on 127.0.0.1 ports of their own: with three,
losing two is losing the quorum (a majority of 2 is needed), which one member cannot show.

A member killed with SIGKILL keeps its data directory; started again with the same command it
rejoins the cluster (``--initial-cluster-state`` is read only on a first start).
"""

from __future__ import annotations

import os
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from tests.ha.processes import kill9_group, spawn, stop_group, wait_for
from tests.server_process import HOST

CLIENT_PORTS = (23790, 23791, 23792)
PEER_PORTS = (23800, 23801, 23802)


def client_url(index: int) -> str:
    return f"http://{HOST}:{CLIENT_PORTS[index]}"


def peer_url(index: int) -> str:
    return f"http://{HOST}:{PEER_PORTS[index]}"


def healthy(index: int) -> bool:
    """Whether member ``index`` answers that the cluster is healthy (it has a quorum)."""
    try:
        return bool(httpx.get(f"{client_url(index)}/health", timeout=2).json()["health"] == "true")
    except (httpx.HTTPError, ValueError, KeyError):
        return False


@dataclass
class Etcd:
    """The lab's three etcd members (``etcd1``..``etcd3``)."""

    base: Path
    processes: dict[int, subprocess.Popen[bytes]] = field(default_factory=dict)

    @property
    def hosts(self) -> list[str]:
        """``host:port`` of each member's client URL (Patroni's ``etcd3.hosts``)."""
        return [f"{HOST}:{port}" for port in CLIENT_PORTS]

    def command(self, index: int) -> list[str]:
        name = f"etcd{index + 1}"
        cluster = ",".join(f"etcd{i + 1}={peer_url(i)}" for i in range(len(CLIENT_PORTS)))
        return [
            "etcd", "--name", name, "--data-dir", str(self.base / name),
            "--listen-client-urls", client_url(index),
            "--advertise-client-urls", client_url(index),
            "--listen-peer-urls", peer_url(index),
            "--initial-advertise-peer-urls", peer_url(index),
            "--initial-cluster", cluster, "--initial-cluster-state", "new",
            "--initial-cluster-token", f"infofirst-lab-{os.getpid()}",
        ]  # fmt: skip

    def start(self, *indexes: int) -> float:
        """Start members (all by default) and wait until each says the cluster is healthy."""
        chosen = indexes or tuple(range(len(CLIENT_PORTS)))
        for index in chosen:
            log = self.base / f"etcd{index + 1}.log"
            self.processes[index] = spawn(self.command(index), log, self.base)

        def all_healthy() -> bool:
            for index in chosen:
                if self.processes[index].poll() is not None:
                    raise RuntimeError(f"etcd{index + 1} exited: see {self.base}")
            return all(healthy(index) for index in chosen)

        return wait_for("etcd healthy", all_healthy, 60)

    def kill(self, *indexes: int) -> None:
        """The members' hosts die (SIGKILL)."""
        for index in indexes:
            kill9_group(self.processes[index])

    def stop(self) -> None:
        for process in self.processes.values():
            stop_group(process)
