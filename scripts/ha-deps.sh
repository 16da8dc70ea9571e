#!/usr/bin/env bash
# What the HA lab (`make ha-test`, issue 17) needs outside Python: Patroni, etcd and pgBackRest
# (Debian's packages) next to PostgreSQL 15. Installs only what is missing and starts nothing: the lab
# runs its own etcd and Patroni on ports of its own (tests/ha/lab.py). Debian/Ubuntu only.
set -euo pipefail

say() { printf '\033[1m[ha-lab]\033[0m %s\n' "$*"; }

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else
    say "need root to run: $*"; exit 1; fi
}

missing=()
command -v patroni >/dev/null || missing+=(patroni)
command -v etcd >/dev/null || missing+=(etcd-server)
command -v pgbackrest >/dev/null || missing+=(pgbackrest)
[ -x /usr/lib/postgresql/15/bin/postgres ] || missing+=(postgresql-15)
# The lab's nodes run the same schema as the main server: PostGIS and pgRouting for 15.
[ -f /usr/share/postgresql/15/extension/postgis.control ] || missing+=(postgresql-15-postgis-3)
[ -f /usr/share/postgresql/15/extension/pgrouting.control ] || missing+=(postgresql-15-pgrouting)
if [ ${#missing[@]} -gt 0 ]; then
  say "installing ${missing[*]}"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
    "${missing[@]}"
  # The packages enable services on the default ports; the lab starts its own processes.
  if [ -d /run/systemd/system ]; then
    as_root systemctl disable --now etcd patroni >/dev/null 2>&1 || true
  fi
fi
say "Patroni $(patroni --version | awk '{print $2}'), etcd $(etcd --version | awk 'NR==1{print $3}'), $(pgbackrest version): ok"
