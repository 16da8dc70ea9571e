"""The local HA lab (issue 17): three etcd members, two PostgreSQL 15 nodes under Patroni
(synchronous replication, WAL archived by pgBackRest) and two API processes on 127.0.0.1, all
on ports and in directories of their own.

The PostgreSQL on 5432 is never touched: the lab's nodes listen on ``PG_PORTS``, their data,
sockets and logs live in the lab's own directory, and only processes the lab started (and the
postmasters of its own data directories, with their children) are ever signalled. ``Lab`` is a
context manager: whatever happens, leaving it stops everything and removes the directory.

Run as root, the database side runs as the ``postgres`` OS user (PostgreSQL refuses root).

The lab runs what production runs: it migrates and loads the demo county as the schema's owner
(``postgres``), grants the application role on the primary (``infofirst db grant-app-role``,
``dispatch/app_role.py``), and the API processes connect as that role (``infofirst_app``: no
DDL, append-only stamps and audit trail). The role and its grants are catalog rows, so physical
replication carries them to the standby like any other write: nothing is granted twice, and a
promoted standby has them. The tests' own set-up and checks connect as the owner.
Every wait is bounded by a deadline and polls the event waited for (never a bare sleep).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import Any

import httpx

from dispatch.app_role import DEFAULT_ROLE
from tests import server_process
from tests.ha import backup
from tests.ha.etcd import CLIENT_PORTS, PEER_PORTS, Etcd
from tests.ha.processes import (
    kill9_group,
    kill9_tree,
    port_in_use,
    postmaster_pid,
    spawn,
    stop_group,
    wait_for,
)
from tests.server_process import HOST

__all__ = [
    "APP_ROLE",
    "OWNER",
    "Lab",
    "Node",
    "app_lab_url",
    "lab_url",
    "node_url",
    "report_lab_url",
    "wait_for",
]

ROOT = Path(__file__).resolve().parents[2]
PG_BIN = Path("/usr/lib/postgresql/15/bin")
PG_PORTS = (55432, 55433)
REST_PORTS = (8009, 8010)
API_PORTS = (8061, 8062)
DATABASE = "infofirst"
SCOPE = "infofirst-lab"
OWNER = "postgres"  # the schema's owner: migrations, the demo county, the tests' own checks
APP_ROLE = DEFAULT_ROLE  # the API processes' role (infofirst_app), granted by the lab
# Fast failure detection for the lab: the leader key lives ttl seconds unless renewed
# (Patroni needs ttl >= loop_wait + 2 * retry_timeout).
DCS = {"ttl": 10, "loop_wait": 1, "retry_timeout": 4}
# The API processes' settings (INFOFIRST_<NAME>): fast heartbeats and listener checks.
API_SETTINGS = {
    "database_pool_size": "10",
    "heartbeat_seconds": "1",
    "alert_poll_seconds": "2",
    "listener_check_seconds": "1",
    "alert_ack_timeout_seconds": "3600",
}


def lab_url(ports: tuple[int, ...] = PG_PORTS, database: str = DATABASE, user: str = OWNER) -> str:
    """The multi-host URL (the owner's by default): asyncpg tries each node and keeps the
    writable one."""
    hosts = "&".join(f"host={HOST}:{port}" for port in ports)
    return f"postgresql+asyncpg://{user}@/{database}?{hosts}&target_session_attrs=read-write"


def app_lab_url() -> str:
    """The API processes' URL: the multi-host URL as the application role."""
    return lab_url(user=APP_ROLE)


def report_lab_url() -> str:
    """The API processes' reports URL (``INFOFIRST_REPORT_DATABASE_URL``): the same hosts as
    the application role, a standby preferred (deploy/ha/README.md, "The application's URL")."""
    return app_lab_url().replace("read-write", "prefer-standby")


def node_url(port: int, database: str = DATABASE, user: str = OWNER) -> str:
    """One node's plain URL (checks read it directly, whatever its role; the owner's by
    default)."""
    return f"postgresql://{user}@{HOST}:{port}/{database}"


def rest_status(port: int, path: str) -> int:
    """The status of a Patroni REST health check (``/primary``, ``/replica``, ``/sync``); 0 when
    nothing answers."""
    try:
        return httpx.get(f"http://{HOST}:{port}{path}", timeout=2).status_code
    except httpx.HTTPError:
        return 0


def patroni_yaml(index: int, base: Path) -> dict[str, Any]:
    """Patroni's configuration of lab node ``index`` (0 or 1); JSON is valid YAML."""
    name = f"node{index + 1}"
    node_dir = base / name
    pg_port, rest_port = PG_PORTS[index], REST_PORTS[index]
    local = f"{HOST}/32"
    return {
        "scope": SCOPE,
        "namespace": "/infofirst/",
        "name": name,
        "log": {"level": "INFO", "dir": str(node_dir / "log")},
        "restapi": {"listen": f"{HOST}:{rest_port}", "connect_address": f"{HOST}:{rest_port}"},
        "etcd3": {"hosts": [f"{HOST}:{port}" for port in CLIENT_PORTS]},
        "bootstrap": {
            "dcs": {
                **DCS,
                "maximum_lag_on_failover": 1048576,
                "synchronous_mode": True,
                "postgresql": {
                    "use_pg_rewind": True,
                    "use_slots": True,
                    "parameters": {
                        # each API process opens up to 2 x its pool (10) + 5 (GPS track 2,
                        # fan-out 2, LISTEN 1): 4 processes, the benches' load, 100 was short
                        # (refused connections in the connect phase); as deploy/ha's example
                        "max_connections": 200,
                        "wal_level": "replica",
                        "hot_standby": "on",
                        "max_wal_senders": 5,
                        "max_replication_slots": 5,
                        "wal_log_hints": "on",
                        "archive_mode": "on",
                    },
                },
            },
            "initdb": [{"encoding": "UTF8"}, {"locale": "C.UTF-8"}, "data-checksums"],
        },
        "postgresql": {
            "listen": f"{HOST}:{pg_port}",
            "connect_address": f"{HOST}:{pg_port}",
            "data_dir": str(node_dir / "data"),
            "bin_dir": str(PG_BIN),
            "pgpass": str(node_dir / "pgpass"),
            "authentication": {
                "superuser": {"username": "postgres", "password": "lab-only"},
                "replication": {"username": "replicator", "password": "lab-only"},
                "rewind": {"username": "postgres", "password": "lab-only"},
            },
            # The lab is 127.0.0.1 only, so trust; deploy/ha/patroni.yml.example names the same
            # roles with scram-sha-256 between hosts. The owner (Patroni, pg_rewind, migrations,
            # the tests' checks) and the application role (the API processes) only.
            "pg_hba": [
                "local all all trust",
                f"host replication replicator {local} trust",
                f"host all {OWNER} {local} trust",
                f"host {DATABASE} {APP_ROLE} {local} trust",
            ],
            "parameters": {
                "unix_socket_directories": str(node_dir),
                "archive_command": backup.archive_command(node_dir / "pgbackrest.conf"),
            },
        },
        "tags": {"nofailover": False, "noloadbalance": False, "clonefrom": False},
    }


@dataclass
class Node:
    """One Patroni-managed PostgreSQL node of the lab."""

    index: int
    base: Path
    process: subprocess.Popen[bytes] | None = None

    @property
    def name(self) -> str:
        return f"node{self.index + 1}"

    @property
    def pg_port(self) -> int:
        return PG_PORTS[self.index]

    @property
    def rest_port(self) -> int:
        return REST_PORTS[self.index]

    @property
    def dir(self) -> Path:
        return self.base / self.name

    def role_status(self, path: str) -> int:
        return rest_status(self.rest_port, path)

    @property
    def backup_config(self) -> Path:
        """The node's pgbackrest.conf."""
        return self.dir / "pgbackrest.conf"

    def postmaster_pid(self) -> int | None:
        """The pid of this node's postmaster (from its own data directory), if it runs."""
        return postmaster_pid(self.dir / "data")


@dataclass
class Api:
    """One API process of the lab."""

    name: str
    port: int
    process: subprocess.Popen[bytes]
    log: Path

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.port}"


@dataclass
class Lab:
    """The lab's processes; ``with Lab() as lab:`` starts them and always tears them down."""

    base: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="infofirst-ha-")))
    etcd: Etcd | None = None
    nodes: list[Node] = field(default_factory=list)
    apis: list[Api] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)

    # --- starting ------------------------------------------------------------------------------

    def __enter__(self) -> Lab:
        try:
            self.up()
        except BaseException:
            self.down()
            raise
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.down()

    def up(self) -> None:
        ports = (*CLIENT_PORTS, *PEER_PORTS, *PG_PORTS, *REST_PORTS, *API_PORTS,
                 backup.RESTORE_PORT)  # fmt: skip
        busy = [p for p in ports if port_in_use(p)]
        if busy:
            raise RuntimeError(f"the lab's ports are in use (another lab running?): {busy}")
        if os.geteuid() == 0:
            shutil.chown(self.base, "postgres", "postgres")
        self.etcd = Etcd(self.base)
        self.timings["etcd_up_s"] = self.etcd.start()
        backup.repository(self.base).mkdir()
        if os.geteuid() == 0:
            shutil.chown(backup.repository(self.base), "postgres", "postgres")
        self.nodes = [Node(0, self.base), Node(1, self.base)]
        self.start_node(self.nodes[0])
        self.timings["primary_up_s"] = wait_for(
            "node1 primary", lambda: 200 == self.nodes[0].role_status("/primary"), 120
        )
        backup.create_stanza(self.nodes[0].backup_config)
        self.start_node(self.nodes[1])
        self.timings["sync_standby_up_s"] = wait_for(
            "node2 synchronous standby", lambda: 200 == self.nodes[1].role_status("/sync"), 180
        )
        self.load_application()
        self.start_apis()

    def start_node(self, node: Node) -> None:
        """Write the node's configuration (first time) and start its Patroni."""
        (node.dir / "log").mkdir(parents=True, exist_ok=True)
        config = node.dir / "patroni.yml"
        if not config.exists():
            config.write_text(json.dumps(patroni_yaml(node.index, self.base), indent=2))
            data = node.dir / "data"
            node.backup_config.write_text(
                backup.config_text(self.base, node.dir, data, node.pg_port)
            )
        if os.geteuid() == 0:
            subprocess.run(["chown", "-R", "postgres:postgres", str(node.dir)], check=True)  # noqa: S603, S607
        node.process = spawn(["patroni", str(config)], node.dir / "patroni.out", self.base)

    def load_application(self) -> None:
        """As the owner, through the multi-host URL (the primary): the app's migrations (with
        the GPS track's months), the demo county, then the application role's grants, which
        replicate to the standby."""
        env = {**os.environ, "INFOFIRST_DATABASE_URL": lab_url(), "INFOFIRST_ENV": "test"}
        env.pop("INFOFIRST_MIGRATION_DATABASE_URL", None)
        cli = str(Path(sys.executable).with_name("infofirst"))
        for step in (["db", "upgrade"], ["demo", "load"], ["db", "grant-app-role", APP_ROLE]):
            done = subprocess.run(  # noqa: S603 - our own CLI
                [cli, *step], cwd=ROOT, env=env, capture_output=True, text=True, timeout=600,
                check=False,
            )  # fmt: skip
            if done.returncode != 0:
                raise RuntimeError(f"infofirst {' '.join(step)} failed:\n{done.stderr[-3000:]}")

    def start_apis(self) -> None:
        for index, port in enumerate(API_PORTS):
            log = self.base / f"api{index + 1}.log"
            settings = {**API_SETTINGS, "report_database_url": report_lab_url()}
            process = server_process.start(port, app_lab_url(), log, settings)
            self.apis.append(Api(f"api{index + 1}", port, process, log))
        for api in self.apis:
            server_process.wait_ready(api.process, api.url, api.name, api.log)

    # --- faults --------------------------------------------------------------------------------

    def primary(self) -> Node:
        """The node whose Patroni says it is the primary (waits up to 60 s for one)."""
        found: list[Node] = []

        def one() -> bool:
            found[:] = [n for n in self.nodes if 200 == n.role_status("/primary")]
            return len(found) == 1

        wait_for("one primary", one, 60)
        return found[0]

    def settled(self, timeout: float = 180) -> tuple[Node, Node]:
        """Wait until one node is the primary and the other its synchronous standby (each
        test starts from there); (primary, standby)."""
        found: list[Node] = []

        def both() -> bool:
            found[:] = [n for n in self.nodes if 200 == n.role_status("/primary")]
            if len(found) != 1:
                return False
            other = next(n for n in self.nodes if n is not found[0])
            return 200 == other.role_status("/sync")

        wait_for("a primary and its synchronous standby", both, timeout)
        return found[0], next(n for n in self.nodes if n is not found[0])

    def rejoin(self, node: Node, as_: str = "/replica", timeout: float = 180) -> float:
        """The node's host back: start its Patroni and wait until its REST API answers 200 on
        ``as_`` (``/replica``: following the primary, after pg_rewind; ``/sync``: the
        synchronous standby again); the seconds it took."""
        start = time.monotonic()
        self.start_node(node)
        wait_for(
            f"{node.name} {as_.strip('/')} again", lambda: 200 == node.role_status(as_), timeout
        )
        return time.monotonic() - start

    def kill_host(self, node: Node) -> None:
        """The node's host dies: SIGKILL to its Patroni, then to its postmaster and backends."""
        if node.process is not None:
            kill9_group(node.process)
        pid = node.postmaster_pid()
        if pid is not None:
            kill9_tree(pid)

    # --- stopping ------------------------------------------------------------------------------

    def down(self) -> None:
        """Stop everything the lab started (APIs, Patroni and its PostgreSQL, etcd) and remove
        its directory; each step runs whatever the previous ones did."""
        for api in self.apis:
            server_process.stop(api.process)
        for node in self.nodes:
            self._stop_node(node)
        backup.stop_restored(self.base)
        if self.etcd is not None:
            self.etcd.stop()
        shutil.rmtree(self.base, ignore_errors=True)

    def _stop_node(self, node: Node) -> None:
        if node.process is not None:
            stop_group(node.process, 30)  # Patroni stops its PostgreSQL on SIGTERM
        pid = node.postmaster_pid()
        if pid is not None:  # a postmaster whose Patroni was killed
            kill9_tree(pid)

    @staticmethod
    def tail(path: Path, lines: int = 30) -> str:
        return server_process.log_tail(path, lines)
