"""Continuous archiving and point-in-time recovery on the HA lab with pgBackRest (Debian package
``pgbackrest``; issue 17).

Each node has its own ``pgbackrest.conf`` (its data directory, port and socket) and the same
repository (``<lab>/pgbackrest``): whichever node is the primary archives every WAL segment
there with ``archive-push`` (``archive_mode = on``: a standby archives nothing until
promoted), so the archive follows failovers; both nodes share one system identifier, hence
one stanza. A full backup is taken from the primary; a restore goes to a fresh data directory
started by hand on a port of its own (``RESTORE_PORT``), never under Patroni.
pgBackRest's user guide: "Configure Archiving", "Point-in-Time Recovery".
"""

from __future__ import annotations

import json
import os
import shutil
import time
from pathlib import Path

from tests.ha.processes import kill9_tree, postmaster_pid, run_as_postgres, wait_for
from tests.server_process import HOST

STANZA = "infofirst"
RESTORE_PORT = 55439
PG_BIN = Path("/usr/lib/postgresql/15/bin")


def repository(base: Path) -> Path:
    return base / "pgbackrest"


def config_text(base: Path, node_dir: Path, data: Path, port: int) -> str:
    """A pgbackrest.conf for one data directory (a lab node's, or a restore's)."""
    return "\n".join([
        "[global]",
        f"repo1-path={repository(base)}",
        "repo1-retention-full=2",
        "compress-type=lz4",  # fast on a small machine; zst for a smaller repository
        "start-fast=y",  # an immediate checkpoint: the backup starts at once
        f"log-path={node_dir / 'log'}",
        f"lock-path={node_dir / 'pgbackrest-lock'}",
        "log-level-console=warn",
        "log-level-file=info",
        "",
        f"[{STANZA}]",
        f"pg1-path={data}",
        f"pg1-port={port}",
        f"pg1-socket-path={node_dir}",
        "pg1-user=postgres",
        "",
    ])  # fmt: skip


def archive_command(config: Path) -> str:
    """The archive_command of a node whose pgBackRest configuration is ``config``."""
    return f"pgbackrest --config={config} --stanza={STANZA} archive-push %p"


def pgbackrest(config: Path, *arguments: str, timeout: float = 300) -> str:
    """Run a pgBackRest command (as postgres) with ``config``; its output."""
    command = ["pgbackrest", f"--config={config}", f"--stanza={STANZA}", *arguments]
    return run_as_postgres(command, config.parent, timeout)


def create_stanza(config: Path) -> None:
    """Create the stanza in the repository (from the primary), then check archiving works."""
    pgbackrest(config, "stanza-create")
    pgbackrest(config, "check")


def full_backup(config: Path) -> tuple[str, float]:
    """A full backup from the primary whose configuration is ``config``; (its label, seconds
    it took)."""
    start = time.monotonic()
    pgbackrest(config, "--type=full", "backup", timeout=600)
    took = time.monotonic() - start
    (stanza,) = json.loads(pgbackrest(config, "--output=json", "info"))
    return str(stanza["backup"][-1]["label"]), took


def restore_to_time(base: Path, label: str, target: str) -> tuple[Path, float]:
    """Restore backup ``label`` and the archive up to ``target`` (a timestamptz) into a fresh
    data directory and start it on ``RESTORE_PORT``; (its directory, seconds until it is
    promoted and accepts writes). The backup is named: pgBackRest would choose one by its stop
    time in whole seconds, and refuses one that ended in the target's second."""
    start = time.monotonic()
    home = base / "restore"
    data = home / "data"
    (home / "log").mkdir(parents=True, exist_ok=True)
    data.mkdir(mode=0o700)
    config = home / "pgbackrest.conf"
    config.write_text(config_text(base, home, data, RESTORE_PORT))
    _own(home)
    pgbackrest(
        config, f"--set={label}", "--type=time", f"--target={target}", "--target-action=promote",
        "restore",
        timeout=600,
    )  # fmt: skip
    # The copy is the primary's, configured by Patroni for its port and peers: run it apart.
    overrides = {
        "port": str(RESTORE_PORT),
        "listen_addresses": HOST,
        "unix_socket_directories": str(home),
        "hba_file": str(data / "pg_hba.conf"),
        "ident_file": str(data / "pg_ident.conf"),
        "archive_mode": "off",
        "synchronous_standby_names": "",
        "cluster_name": "infofirst-restore",
    }
    with (data / "postgresql.auto.conf").open("a") as conf:  # keeps the file's owner
        conf.writelines(f"{name} = '{value}'\n" for name, value in overrides.items())
    pg_ctl = [str(PG_BIN / "pg_ctl"), "-D", str(data), "-l", str(home / "log" / "postgres.log")]
    run_as_postgres([*pg_ctl, "-w", "-t", "300", "start"], home, 320)

    def out_of_recovery() -> bool:
        answer = run_as_postgres(
            [str(PG_BIN / "psql"), "-h", str(home), "-p", str(RESTORE_PORT),
             "-At", "-c", "SELECT pg_is_in_recovery()", "postgres"], home, 30,
        )  # fmt: skip
        return answer.strip() == "f"

    wait_for("the restored copy promoted", out_of_recovery, 300, every=0.5)
    return data, time.monotonic() - start


def stop_restored(base: Path) -> None:
    """Stop the restored copy, if it runs (its postmaster and backends)."""
    pid = postmaster_pid(base / "restore" / "data")
    if pid is not None:
        kill9_tree(pid)


def _own(path: Path) -> None:
    """``path`` and what it holds (a few files, before the restore) owned by postgres."""
    if os.geteuid() == 0:
        for each in [path, *path.rglob("*")]:
            shutil.chown(each, "postgres", "postgres")
