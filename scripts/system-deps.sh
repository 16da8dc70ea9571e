#!/usr/bin/env bash
# Makes sure the machine has what the project needs outside Python: a running PostgreSQL
# with the PostGIS (and pgRouting) packages matching the server's major version, Debian's
# Chromium for the browser tests, and Node.js with npm for the pages' JavaScript checks.
# Idempotent: it installs only what is missing. Debian/Ubuntu only.
set -euo pipefail

PGHOST=${PGHOST:-127.0.0.1}
PGPORT=${PGPORT:-5432}
PGUSER=${PGUSER:-postgres}
export PGHOST PGPORT PGUSER

say() { printf '\033[1m[setup]\033[0m %s\n' "$*"; }

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else
    say "need root to run: $*"; exit 1; fi
}

apt_updated=0
apt_install() {
  if [ "$apt_updated" -eq 0 ]; then
    as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq
    apt_updated=1
  fi
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@"
}

psql_q() { psql -X -qAt -d postgres -c "$1"; }

# 0. Only the Python venv module, when asked (a Debian python3 without python3-venv).
if [ "${1:-}" = "--python-venv" ]; then
  say "installing python3-venv"
  apt_install python3-venv
  exit 0
fi

# 1. PostgreSQL client and a running server.
if ! command -v psql >/dev/null; then
  say "installing the PostgreSQL client"
  apt_install postgresql-client
fi
if ! pg_isready -q; then
  say "PostgreSQL is not answering on $PGHOST:$PGPORT; trying to start the local cluster"
  for version in $(ls /etc/postgresql 2>/dev/null); do
    as_root pg_ctlcluster --skip-systemctl-redirect "$version" main start || true
  done
  for _ in $(seq 1 30); do pg_isready -q && break; sleep 1; done
  pg_isready -q || { say "PostgreSQL is not running on $PGHOST:$PGPORT"; exit 1; }
fi

# 2. PostGIS and pgRouting for the running server's major version.
major=$(psql_q "SELECT current_setting('server_version_num')::int / 10000")
available() { psql_q "SELECT count(*) FROM pg_available_extensions WHERE name = '$1'"; }
# The control file can outlive the library (a half-removed package), so where dpkg is the
# package manager the package itself must be installed too.
installed() {
  command -v dpkg-query >/dev/null || return 0
  [ "$(dpkg-query -W -f='${Status}' "$1" 2>/dev/null)" = "install ok installed" ]
}
missing=()
for pair in "postgis:postgresql-$major-postgis-3" "pgrouting:postgresql-$major-pgrouting"; do
  extension=${pair%%:*} package=${pair#*:}
  if [ "$(available "$extension")" != 1 ] || ! installed "$package"; then
    missing+=("$package")
  fi
done
if [ ${#missing[@]} -gt 0 ]; then
  say "installing ${missing[*]} for PostgreSQL $major"
  apt_install "${missing[@]}"
fi
for extension in postgis pgrouting; do
  [ "$(available "$extension")" = 1 ] || { say "$extension is still not available to PostgreSQL $major"; exit 1; }
done
say "PostgreSQL $major with PostGIS and pgRouting: ok"

# 3. Debian's Chromium for the browser tests (Playwright drives it and never downloads one;
#    INFOFIRST_CHROMIUM points the tests at another Chromium binary).
if [ ! -x /usr/bin/chromium ]; then
  say "installing chromium (the browser tests drive it)"
  apt_install chromium
fi
[ -x /usr/bin/chromium ] || { say "chromium is still missing at /usr/bin/chromium"; exit 1; }
say "Chromium for the browser tests: ok"

# 4. A CJK font for the Chinese PDF reports (matplotlib draws with it; without one the PDF is
#    written in English).
if ! fc-list :lang=zh 2>/dev/null | grep -q .; then
  say "installing fonts-wqy-microhei (Chinese text in the PDF reports)"
  apt_install fontconfig fonts-wqy-microhei
fi
say "CJK font for the PDF reports: ok"

# 5. Node.js and npm for the pages' JavaScript checks (`make jscheck`: ESLint and tsc from the
#    npm registry, pinned in package.json). Debian's nodejs is enough (ESLint 9 needs >= 18.18).
node_missing=()
command -v node >/dev/null || node_missing+=(nodejs)
command -v npm >/dev/null || node_missing+=(npm)
if [ ${#node_missing[@]} -gt 0 ]; then
  say "installing ${node_missing[*]} (the JavaScript checks)"
  apt_install "${node_missing[@]}"
fi
command -v npm >/dev/null || { say "npm is still missing"; exit 1; }
say "Node.js $(node --version) and npm $(npm --version) for the JavaScript checks: ok"

# 6. GnuPG for deploy/backup.sh's encrypted dumps, and nginx whose `nginx -t` checks
#    deploy/nginx-infofirst.conf (tests only: an nginx installed here is not left running).
if ! command -v gpg >/dev/null; then
  say "installing gpg (encrypted backups)"
  apt_install gpg
fi
command -v gpg >/dev/null || { say "gpg is still missing"; exit 1; }
if [ ! -x /usr/sbin/nginx ]; then
  say "installing nginx (the tests check the deploy/ example with nginx -t)"
  apt_install nginx
  if [ -d /run/systemd/system ]; then
    as_root systemctl disable --now nginx >/dev/null 2>&1 || true
  fi
fi
[ -x /usr/sbin/nginx ] || { say "nginx is still missing at /usr/sbin/nginx"; exit 1; }
say "GnuPG (encrypted backups) and nginx (config check): ok"
