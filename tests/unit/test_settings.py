"""The settings refuse a production start with the built-in secret, and bad decision thresholds
(no I/O)."""

from __future__ import annotations

import pytest
from pydantic import SecretStr, ValidationError

from dispatch.app import create_app
from dispatch.settings import Settings

PUBLISHED = "infofirst-dev-secret-not-for-production-use"
ENV_EXAMPLE = "change-me-to-64-random-characters-from-a-password-generator"


@pytest.mark.parametrize("env", ["dev", "demo", "test", "production"])
@pytest.mark.parametrize("secret", [PUBLISHED, ENV_EXAMPLE, "CHANGE-ME" + "x" * 40, "s" * 31])
def test_published_placeholder_and_short_secrets_are_refused_in_every_mode(
    env: str, secret: str
) -> None:
    """The old built-in secret, deploy/env.example's placeholder (any CHANGE-ME value) and a
    secret of 31 characters are refused, whatever the mode (issue 12, finding 1)."""
    with pytest.raises(ValidationError, match="INFOFIRST_SECRET_KEY"):
        Settings(env=env, secret_key=SecretStr(secret))  # type: ignore[arg-type]


def test_a_random_secret_of_32_characters_is_accepted() -> None:
    """32 characters is the shortest secret accepted; no secret at all means the key file."""
    assert "production" == Settings(env="production", secret_key=SecretStr("k" * 32)).env
    assert Settings(env="production", secret_key=None).secret_key is None


def test_environment_variables_are_read_with_the_prefix(monkeypatch: pytest.MonkeyPatch) -> None:
    """INFOFIRST_* variables configure the service."""
    monkeypatch.setenv("INFOFIRST_MAX_SNAP_M", "1500")
    monkeypatch.setenv("INFOFIRST_ROAD_SPEEDS_KMH", '{"county": 45}')
    settings = Settings()
    assert (1500.0, {"county": 45.0}) == (settings.max_snap_m, settings.road_speeds_kmh)


def test_decision_thresholds_are_plain_numbers_built_at_start() -> None:
    """INFOFIRST_DECISION is a mapping of numbers; the app builds the rules' config from it."""
    settings = Settings(decision={"stemi_pci_limit_minutes": 90, "min_cases_for_median": 3})
    config = create_app(settings).state.decision_config
    assert (90.0, 3, 60) == (
        config.stemi_pci_limit_minutes,
        config.min_cases_for_median,
        config.door_to_wire_prior_minutes,
    )


@pytest.mark.parametrize(
    ("decision", "message"),
    [
        ({"stemi_pci_limit": 90}, "unknown threshold(s) stemi_pci_limit"),
        ({"stemi_pci_limit_minutes": -5}, "stemi_pci_limit_minutes must be above 0"),
        ({"min_cases_for_median": 2.5}, "min_cases_for_median must be a whole number"),
        ({"lvo_threshold_lams": 7}, "lvo_threshold_lams must be at most 5"),
    ],
)
def test_bad_decision_thresholds_stop_the_start(decision: dict[str, float], message: str) -> None:
    """An unknown name or a bad value refuses to start, naming the setting and the value."""
    with pytest.raises(ValueError, match="INFOFIRST_DECISION is refused") as raised:
        create_app(Settings(decision=decision))
    assert message in str(raised.value)


def test_decision_thresholds_that_are_not_numbers_are_refused_by_settings() -> None:
    """A threshold that is not a number is refused when the settings are read."""
    with pytest.raises(ValidationError, match=r"decision\.stemi_pci_limit_minutes"):
        Settings(decision={"stemi_pci_limit_minutes": "soon"})  # type: ignore[dict-item]


def test_the_placeholder_shown_in_deploy_env_example_is_refused() -> None:
    """Whatever secret line deploy/env.example shows (commented or not) cannot be used as is."""
    from pathlib import Path

    example = Path(__file__).parents[2] / "deploy" / "env.example"
    values = [
        line.split("=", 1)[1].strip()
        for line in example.read_text(encoding="utf-8").splitlines()
        if line.lstrip("# ").startswith("INFOFIRST_SECRET_KEY=")
    ]
    assert values, "deploy/env.example shows no INFOFIRST_SECRET_KEY line"
    for value in values:
        with pytest.raises(ValidationError, match="placeholder"):
            Settings(env="production", secret_key=SecretStr(value))
