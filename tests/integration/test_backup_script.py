"""deploy/backup.sh (issue 12, finding 12: backups were world-readable): every file 0600 in a
0700 folder, whatever the caller's umask; with a key file, the dump is encrypted (no plaintext
PostgreSQL dump, no patient text) and restores with the documented command."""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

from tests.conftest import TEST_DATABASE_URL

SCRIPT = Path(__file__).resolve().parents[2] / "deploy" / "backup.sh"
URL = make_url(TEST_DATABASE_URL)
SOURCE = f"{URL.database}_backup_source"
RESTORED = f"{URL.database}_backup_restored"
MARKER = "synthetic-complaint-chest-pain-0600"
PG_ENV = {"PGHOST": URL.host or "127.0.0.1", "PGPORT": str(URL.port or 5432)}
if URL.username:
    PG_ENV["PGUSER"] = URL.username


def run(*args: str, env: dict[str, str] | None = None, stdin: bytes | None = None) -> bytes:
    result = subprocess.run(  # noqa: S603 - fixed programs, test-made arguments
        args,
        input=stdin,
        capture_output=True,
        env={**os.environ, **PG_ENV, **(env or {})},
        check=False,
        timeout=120,
    )
    assert 0 == result.returncode, result.stderr.decode()
    return result.stdout


def psql(database: str, sql: str) -> str:
    return run(
        "psql", "-X", "-q", "-At", "-v", "ON_ERROR_STOP=1", "-d", database, "-c", sql
    ).decode()


@pytest.fixture(scope="module")
def source() -> Iterator[str]:
    """A small database holding a marker text, dropped afterwards."""
    for name in (SOURCE, RESTORED):
        psql("postgres", f'DROP DATABASE IF EXISTS "{name}"')
    psql("postgres", f'CREATE DATABASE "{SOURCE}"')
    psql(SOURCE, f"CREATE TABLE notes (body text); INSERT INTO notes VALUES ('{MARKER}')")  # noqa: S608
    yield SOURCE
    for name in (SOURCE, RESTORED):
        psql("postgres", f'DROP DATABASE IF EXISTS "{name}"')


def backup(target: Path, key_file: Path | None = None) -> Path:
    """Run the script with a permissive umask; the one file it wrote."""
    env = {"INFOFIRST_BACKUP_DIR": str(target), "INFOFIRST_BACKUP_DATABASE": SOURCE}
    if key_file is not None:
        env["INFOFIRST_BACKUP_ENCRYPTION_KEY_FILE"] = str(key_file)
    out = run("bash", "-c", f'umask 022; exec "{SCRIPT}"', env=env).decode()
    written = sorted(target.iterdir())
    assert 1 == len(written), written
    assert f"backup written: {written[0]}" in out
    return written[0]


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_a_plain_backup_is_private(source: str, tmp_path: Path) -> None:
    """Without a key: a readable custom-format dump, 0600, in a 0700 folder."""
    target = tmp_path / "backups"
    dump = backup(target)
    assert dump.name.endswith(".dump")
    assert 0o600 == mode(dump)
    assert 0o700 == mode(target)
    assert dump.read_bytes().startswith(b"PGDMP")


def test_an_encrypted_backup_is_private_opaque_and_restores(source: str, tmp_path: Path) -> None:
    """With a key: *.dump.gpg, 0600, no dump or marker in clear, restored by the README's steps."""
    key = tmp_path / "backup.key"
    key.write_text("a-long-random-passphrase-made-for-this-test-only\n")
    key.chmod(0o600)
    target = tmp_path / "backups"
    dump = backup(target, key)
    assert dump.name.endswith(".dump.gpg")
    assert 0o600 == mode(dump)
    data = dump.read_bytes()
    assert b"PGDMP" not in data
    assert MARKER.encode() not in data
    # the documented restore: decrypt with the key, pg_restore into a database
    gnupg_home = tmp_path / "gnupg"
    gnupg_home.mkdir(mode=0o700)
    decrypted = run(
        "gpg", "--homedir", str(gnupg_home), "--batch", "--quiet", "--pinentry-mode", "loopback",
        "--passphrase-file", str(key), "--decrypt", str(dump),
    )  # fmt: skip
    assert decrypted.startswith(b"PGDMP")
    psql("postgres", f'CREATE DATABASE "{RESTORED}"')
    run("pg_restore", "--no-owner", f"--dbname={RESTORED}", stdin=decrypted)
    assert MARKER == psql(RESTORED, "SELECT body FROM notes").strip()


def test_a_wrong_or_missing_key_fails_and_leaves_nothing(source: str, tmp_path: Path) -> None:
    """A missing key file stops the backup (no unencrypted fallback) with no file left."""
    target = tmp_path / "backups"
    env = {
        "INFOFIRST_BACKUP_DIR": str(target),
        "INFOFIRST_BACKUP_DATABASE": SOURCE,
        "INFOFIRST_BACKUP_ENCRYPTION_KEY_FILE": str(tmp_path / "absent.key"),
    }
    result = subprocess.run(  # noqa: S603
        [str(SCRIPT)], env={**os.environ, **PG_ENV, **env}, capture_output=True, check=False
    )
    assert 0 != result.returncode
    assert b"key file" in result.stderr
    assert [] == list(target.iterdir())


def test_the_tools_are_installed() -> None:
    """The script's tools (scripts/system-deps.sh installs gpg where it is missing)."""
    assert all(shutil.which(tool) for tool in ("gpg", "pg_dump", "pg_restore", "psql"))
