"""Password hashing and bearer tokens (pure)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from units.exceptions import NotAuthenticated
from units.security import TokenConfig, hash_password, issue_token, read_token, verify_password

CONFIG = TokenConfig("a-test-secret-that-is-long-enough-1234", timedelta(hours=1))
NOW = datetime(2026, 11, 24, 8, 0, tzinfo=UTC)


def test_password_hash_is_argon2_and_verifies() -> None:
    """Hashes are argon2id, verify the right password and refuse a wrong one."""
    stored = hash_password("s3cret")
    assert stored.startswith("$argon2id$")
    assert (True, False) == (verify_password(stored, "s3cret"), verify_password(stored, "x"))


def test_garbage_hash_does_not_verify() -> None:
    """A stored value that is not a hash never verifies (and does not raise)."""
    assert False is verify_password("not-a-hash", "anything")


def test_token_round_trip() -> None:
    """A fresh token gives back its user id, name and role."""
    claims = read_token(CONFIG, issue_token(CONFIG, 7, "dispatcher", "dispatcher", NOW), NOW)
    assert (7, "dispatcher", "dispatcher") == (claims.user_id, claims.username, claims.role)
    assert NOW + timedelta(hours=1) == claims.expires_at


def test_expired_token_is_refused() -> None:
    """A token past its lifetime is refused with a message to sign in again."""
    token = issue_token(CONFIG, 7, "dispatcher", "dispatcher", NOW - timedelta(hours=2))
    with pytest.raises(NotAuthenticated, match="expired"):
        read_token(CONFIG, token, NOW)


def test_token_signed_with_another_key_is_refused() -> None:
    """A token signed with another secret is not valid."""
    other = TokenConfig("another-secret-that-is-long-enough-99", timedelta(hours=1))
    with pytest.raises(NotAuthenticated, match="not valid"):
        read_token(CONFIG, issue_token(other, 7, "admin", "admin", NOW), NOW)
