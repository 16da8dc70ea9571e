"""The token-signing key when ``INFOFIRST_SECRET_KEY`` is not set: a key file of this install.

On first start the file is generated (random, 0600, in a 0700 directory) atomically, so
several API processes starting together agree on one key; later starts read it and refuse a
file others can read, a short one or a placeholder. There is no built-in secret: a process
without a configured secret or a usable key file does not start.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import stat
from pathlib import Path

from dispatch.settings import Settings, secret_problem


class SecretUnavailable(RuntimeError):
    """No usable signing secret: the process must not start."""


def signing_secret(settings: Settings) -> str:
    """The configured secret, else the key file's (generated when missing)."""
    if settings.secret_key is not None:
        return settings.secret_key.get_secret_value()
    path = settings.secret_key_file
    try:
        if not path.exists():
            _generate(path)
        return _read(path)
    except OSError as exc:  # a directory that cannot be written, a file that cannot be read
        raise SecretUnavailable(
            f"no signing secret: INFOFIRST_SECRET_KEY is not set and the key file {path}"
            f" cannot be created or read ({exc.strerror or exc}); set INFOFIRST_SECRET_KEY"
            " or INFOFIRST_SECRET_KEY_FILE to a writable place"
        ) from exc


def _generate(path: Path) -> None:
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(descriptor, "w") as file:
            file.write(secrets.token_urlsafe(48) + "\n")
        with contextlib.suppress(FileExistsError):  # another process won: use its key
            os.link(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)


def _read(path: Path) -> str:
    mode = path.stat().st_mode
    if mode & (stat.S_IRWXG | stat.S_IRWXO):
        raise SecretUnavailable(
            f"the key file {path} can be read by others (mode {stat.filemode(mode)}):"
            f" chmod 600 {path}"
        )
    secret = path.read_text(encoding="utf-8").strip()
    problem = secret_problem(secret)
    if problem is not None:
        raise SecretUnavailable(f"the key file {path} {problem}: delete it to generate a new one")
    return secret
