"""The settings refuse a production start with the built-in secret (no I/O)."""

from __future__ import annotations

import pytest
from pydantic import SecretStr, ValidationError

from dispatch.settings import Settings


def test_production_refuses_the_default_secret() -> None:
    """INFOFIRST_ENV=production with the built-in key is refused at start-up."""
    with pytest.raises(ValidationError, match="SECRET_KEY must be set"):
        Settings(env="production")


def test_production_refuses_a_short_secret() -> None:
    """A production secret shorter than 32 characters is refused."""
    with pytest.raises(ValidationError, match="at least 32 characters"):
        Settings(env="production", secret_key=SecretStr("short"))


def test_production_accepts_a_real_secret_and_dev_keeps_the_default() -> None:
    """A long production secret is accepted; dev and demo run with the built-in one."""
    assert "production" == Settings(env="production", secret_key=SecretStr("x" * 40)).env
    assert ("dev", "demo") == (Settings(env="dev").env, Settings(env="demo").env)


def test_environment_variables_are_read_with_the_prefix(monkeypatch: pytest.MonkeyPatch) -> None:
    """INFOFIRST_* variables configure the service."""
    monkeypatch.setenv("INFOFIRST_MAX_SNAP_M", "1500")
    monkeypatch.setenv("INFOFIRST_ROAD_SPEEDS_KMH", '{"county": 45}')
    settings = Settings()
    assert (1500.0, {"county": 45.0}) == (settings.max_snap_m, settings.road_speeds_kmh)
