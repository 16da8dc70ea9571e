#!/usr/bin/env bash
# Nightly backup of the county's database (cron: 30 2 * * * /opt/infofirst/deploy/backup.sh).
# Keeps 14 days locally; copy the folder off the host as well (a second site or removable disk).
# For a single host only: with the Patroni cluster the backup is pgBackRest's continuous WAL
# archiving and point-in-time recovery (deploy/ha/README.md, "Backups"), not this dump.
#
# The dumps are health data: the folder is 0700 and every file 0600 (umask 077). With
# INFOFIRST_BACKUP_ENCRYPTION_KEY_FILE (a file holding a long random passphrase, 0600, e.g.
# `openssl rand -base64 48 > /etc/infofirst/backup.key`) each dump is encrypted with GnuPG
# (symmetric, AES-256, integrity-protected) and named *.dump.gpg; keep the key apart from the
# copies. Restore (README "Backups"):
#   gpg --batch --pinentry-mode loopback --passphrase-file KEY --decrypt FILE.dump.gpg \
#     | pg_restore --dbname=infofirst --clean --if-exists
set -euo pipefail
umask 077
target=${INFOFIRST_BACKUP_DIR:-/var/backups/infofirst}
database=${INFOFIRST_BACKUP_DATABASE:-infofirst}
key_file=${INFOFIRST_BACKUP_ENCRYPTION_KEY_FILE:-}
mkdir -p "$target"
chmod 0700 "$target"
file="$target/$database-$(date -u +%Y%m%dT%H%M%SZ).dump"
partial=""
scratch=""
cleanup() { rm -rf -- "$partial" "$scratch"; }
trap cleanup EXIT
if [ -n "$key_file" ]; then
  if [ ! -r "$key_file" ] || [ ! -s "$key_file" ]; then
    echo "backup: the key file $key_file is missing, unreadable or empty" >&2
    exit 1
  fi
  scratch=$(mktemp -d)   # GnuPG's home for this run: nothing kept in the user's ~/.gnupg
  gpg_() {
    gpg --homedir "$scratch" --batch --quiet --pinentry-mode loopback \
      --passphrase-file "$key_file" "$@"
  }
  file="$file.gpg"
  partial="$file.partial"
  pg_dump --format=custom "$database" \
    | gpg_ --symmetric --cipher-algo AES256 --compress-algo none --output "$partial"
  # decrypts in full (GnuPG checks its integrity code at the end), and the dump is readable
  gpg_ --decrypt "$partial" | { pg_restore --list >/dev/null; cat >/dev/null; }
else
  partial="$file.partial"
  pg_dump --format=custom --file="$partial" "$database"
  pg_restore --list "$partial" >/dev/null   # the dump is readable
fi
mv -- "$partial" "$file"
partial=""
find "$target" \( -name "$database-*.dump" -o -name "$database-*.dump.gpg" \) -mtime +14 -delete
echo "backup written: $file"
