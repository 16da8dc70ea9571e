#!/usr/bin/env bash
# Nightly backup of the county's database (cron: 30 2 * * * /opt/infofirst/deploy/backup.sh).
# Keeps 14 days locally; copy the folder off the host as well (a second site or removable disk).
set -euo pipefail
target=${INFOFIRST_BACKUP_DIR:-/var/backups/infofirst}
database=${INFOFIRST_BACKUP_DATABASE:-infofirst}
mkdir -p "$target"
file="$target/$database-$(date -u +%Y%m%dT%H%M%SZ).dump"
pg_dump --format=custom --file="$file" "$database"
pg_restore --list "$file" >/dev/null   # the dump is readable
find "$target" -name "$database-*.dump" -mtime +14 -delete
echo "backup written: $file"
