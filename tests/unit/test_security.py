"""Password hashing and bearer tokens (pure)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import jwt
import pytest

from units.exceptions import NotAuthenticated
from units.security import (
    TokenConfig,
    _verified,
    hash_password,
    issue_token,
    read_token,
    verify_password,
)

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
    claims = read_token(CONFIG, issue_token(CONFIG, 7, "dispatcher", "dispatcher", NOW).token, NOW)
    assert (7, "dispatcher", "dispatcher") == (claims.user_id, claims.username, claims.role)
    assert NOW + timedelta(hours=1) == claims.expires_at


def test_expired_token_is_refused() -> None:
    """A token past its lifetime is refused with a message to sign in again."""
    token = issue_token(CONFIG, 7, "dispatcher", "dispatcher", NOW - timedelta(hours=2)).token
    with pytest.raises(NotAuthenticated, match="expired"):
        read_token(CONFIG, token, NOW)


def test_a_token_is_verified_once_and_still_expires() -> None:
    """A token's signature is checked once per process (kept by the token's text), but each
    read still checks its expiry: good one second before it, refused at it and after."""
    issued = issue_token(CONFIG, 7, "crew", "crew", NOW)
    before = _verified.cache_info().hits
    first = read_token(CONFIG, issued.token, NOW)
    just_before = issued.claims.expires_at - timedelta(seconds=1)
    assert read_token(CONFIG, issued.token, just_before) == first
    assert _verified.cache_info().hits == before + 1
    for at in (issued.claims.expires_at, issued.claims.expires_at + timedelta(seconds=1)):
        with pytest.raises(NotAuthenticated, match="expired"):
            read_token(CONFIG, issued.token, at)


def test_a_refused_token_is_not_kept() -> None:
    """A token that failed is checked again at the next read (and fails again): only a good
    token's claims are kept; the same claims under another key stay refused."""
    other = TokenConfig("another-secret-that-is-long-enough-99", timedelta(hours=1))
    forged = issue_token(other, 7, "admin", "admin", NOW).token
    read_token(other, forged, NOW)  # good for its own key, and kept for it
    for _ in range(2):
        misses = _verified.cache_info().misses
        with pytest.raises(NotAuthenticated, match="not valid"):
            read_token(CONFIG, forged, NOW)
        assert _verified.cache_info().misses == misses + 1


def test_token_signed_with_another_key_is_refused() -> None:
    """A token signed with another secret is not valid."""
    other = TokenConfig("another-secret-that-is-long-enough-99", timedelta(hours=1))
    with pytest.raises(NotAuthenticated, match="not valid"):
        read_token(CONFIG, issue_token(other, 7, "admin", "admin", NOW).token, NOW)


def test_token_names_its_session_issuer_and_audience() -> None:
    """Every token carries a random jti, the issuer and the audience (issue 12, finding 1)."""
    first = issue_token(CONFIG, 7, "admin", "admin", NOW)
    second = issue_token(CONFIG, 7, "admin", "admin", NOW)
    raw = jwt.decode(first.token, options={"verify_signature": False})
    assert ("infofirst", "infofirst-api") == (raw["iss"], raw["aud"])
    assert raw["jti"] == first.claims.session_id == read_token(CONFIG, first.token, NOW).session_id
    assert first.claims.session_id != second.claims.session_id


def _signed(claims: dict[str, object]) -> str:
    base: dict[str, object] = {
        "sub": "1",
        "name": "admin",
        "role": "admin",
        "jti": "a-session",
        "iss": "infofirst",
        "aud": "infofirst-api",
        "iat": int(NOW.timestamp()),
        "exp": int((NOW + timedelta(hours=1)).timestamp()),
    }
    base.update(claims)
    return jwt.encode({k: v for k, v in base.items() if v is not None}, CONFIG.secret, "HS256")


@pytest.mark.parametrize(
    "claims",
    [
        {"jti": None},
        {"iss": None},
        {"aud": None},
        {"iss": "someone-else"},
        {"aud": "another-service"},
        {"jti": ""},
        {"jti": "x" * 65},
    ],
)
def test_tokens_without_session_or_for_another_party_are_refused(claims: dict[str, object]) -> None:
    """A correctly signed token without jti/iss/aud, or for another issuer or audience, is
    refused; the same token with all three is accepted (the control)."""
    assert "a-session" == read_token(CONFIG, _signed({}), NOW).session_id
    with pytest.raises(NotAuthenticated):
        read_token(CONFIG, _signed(claims), NOW)
