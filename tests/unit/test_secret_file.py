"""The key file used when no INFOFIRST_SECRET_KEY is set (issue 12, finding 1): generated once,
0600, shared by every process; refused when others can read it or it holds a placeholder."""

from __future__ import annotations

import stat
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from dispatch.secret_file import SecretUnavailable, signing_secret
from dispatch.settings import Settings


def _settings(path: Path) -> Settings:
    return Settings(env="production", secret_key=None, secret_key_file=path)


def test_a_fresh_install_generates_its_own_key_0600(tmp_path: Path) -> None:
    """The first start writes a random key (0600, in a 0700 directory); later starts reuse it;
    another install gets another key."""
    path = tmp_path / "var" / "secret.key"
    first = signing_secret(_settings(path))
    assert 0o600 == stat.S_IMODE(path.stat().st_mode)
    assert 0o700 == stat.S_IMODE(path.parent.stat().st_mode)
    assert len(first) >= 48
    assert first == signing_secret(_settings(path))
    assert first != signing_secret(_settings(tmp_path / "other" / "secret.key"))


def test_processes_starting_together_agree_on_one_key(tmp_path: Path) -> None:
    """Eight processes' first starts at once end with one key, no temporary files left."""
    path = tmp_path / "secret.key"
    with ThreadPoolExecutor(8) as pool:
        keys = set(pool.map(lambda _: signing_secret(_settings(path)), range(8)))
    assert 1 == len(keys)
    assert ["secret.key"] == [p.name for p in tmp_path.iterdir()]


@pytest.mark.parametrize("mode", [0o640, 0o604, 0o660])
def test_a_key_file_others_can_read_is_refused(tmp_path: Path, mode: int) -> None:
    """A key file readable by the group or others stops the start; 0600 (the control) works."""
    path = tmp_path / "secret.key"
    signing_secret(_settings(path))
    path.chmod(mode)
    with pytest.raises(SecretUnavailable, match="chmod 600"):
        signing_secret(_settings(path))
    path.chmod(0o600)
    assert signing_secret(_settings(path))


@pytest.mark.parametrize("content", ["change-me-" + "x" * 40, "short-key"])
def test_a_placeholder_or_short_key_file_is_refused(tmp_path: Path, content: str) -> None:
    """A key file holding a placeholder or fewer than 32 characters stops the start."""
    path = tmp_path / "secret.key"
    path.write_text(content)
    path.chmod(0o600)
    with pytest.raises(SecretUnavailable):
        signing_secret(_settings(path))


def test_a_configured_secret_is_used_and_no_file_is_written(tmp_path: Path) -> None:
    """INFOFIRST_SECRET_KEY wins; no key file is created."""
    from pydantic import SecretStr

    path = tmp_path / "secret.key"
    settings = Settings(env="production", secret_key=SecretStr("r" * 40), secret_key_file=path)
    assert "r" * 40 == signing_secret(settings)
    assert not path.exists()


def test_a_key_file_that_cannot_be_written_stops_the_start_with_a_reason(tmp_path: Path) -> None:
    """No secret and nowhere to write the key file (a file where the directory should be):
    the start is refused, saying what to set."""
    blocker = tmp_path / "var"
    blocker.write_text("not a directory")
    with pytest.raises(SecretUnavailable, match="INFOFIRST_SECRET_KEY"):
        signing_secret(_settings(blocker / "secret.key"))


@pytest.mark.parametrize(
    "secret",
    ["infofirst-dev-secret-not-for-production-use", "CHANGE-ME-to-64-random-characters-please"],
)
def test_a_placeholder_in_the_environment_stops_the_app_at_start(
    monkeypatch: pytest.MonkeyPatch, secret: str
) -> None:
    """INFOFIRST_SECRET_KEY set to the old built-in secret or deploy/env.example's placeholder:
    the app is not even built (a random secret of 40 characters, the control, is)."""
    from pydantic import ValidationError

    from dispatch.app import create_app

    monkeypatch.setenv("INFOFIRST_ENV", "production")
    monkeypatch.setenv("INFOFIRST_SECRET_KEY", secret)
    with pytest.raises(ValidationError, match="INFOFIRST_SECRET_KEY"):
        create_app(Settings())
    monkeypatch.setenv("INFOFIRST_SECRET_KEY", "q7" * 20)
    assert "q7" * 20 == create_app(Settings()).state.token_config.secret
