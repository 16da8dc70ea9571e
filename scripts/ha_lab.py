"""The local HA lab by hand (issue 17): three etcd members, two PostgreSQL 15 nodes under Patroni
(WAL archived by pgBackRest) and two API processes, kept up until Ctrl-C (or ``--minutes``),
then torn down completely.

    .venv/bin/python scripts/ha_lab.py [--minutes 60]

While it runs: ``patronictl -c <dir>/node1/patroni.yml list`` (the directory is printed),
``switchover``, or kill a node to watch the failover. ``make ha-test`` runs the failover test
on the same lab (tests/ha/lab.py).
"""

from __future__ import annotations

import argparse
import signal
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.ha.lab import Lab, app_lab_url, lab_url


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=60, help="tear down after (default 60)")
    args = parser.parse_args()
    with Lab() as lab:
        print(f"lab directory: {lab.base}")
        print(f"patronictl -c {lab.base / 'node1' / 'patroni.yml'} list")
        print(f"pgbackrest --config={lab.nodes[0].backup_config} --stanza=infofirst info")
        print(f"the APIs (application role): INFOFIRST_DATABASE_URL={app_lab_url()}")
        print(f"the owner (migrations, upkeep): INFOFIRST_DATABASE_URL={lab_url()}")
        for api in lab.apis:
            print(f"{api.name}: {api.url}")
        print(f"up for {args.minutes} min; Ctrl-C tears it down", flush=True)
        stop = {signal.SIGINT, signal.SIGTERM}
        signal.pthread_sigmask(signal.SIG_BLOCK, stop)  # taken by sigtimedwait, not a handler
        signal.sigtimedwait(stop, args.minutes * 60)


if __name__ == "__main__":
    main()
