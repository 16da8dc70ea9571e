"""Password hashing (argon2) and bearer tokens (signed JWT). No I/O.

A token names its user, its session (``jti``), who issued it (``iss``) and for whom (``aud``);
all are required and checked, so a token signed for another service or without a session id is
refused even when its signature is good. Whether the session is still open (not signed out,
not revoked by a password change or a disabled account) is the sessions table's to say
(``units/sessions.py``).
"""

from __future__ import annotations

import functools
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import jwt
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from units.exceptions import NotAuthenticated

_hasher = PasswordHasher()
_ALGORITHM = "HS256"
DEFAULT_ISSUER = "infofirst"
DEFAULT_AUDIENCE = "infofirst-api"


@dataclass(frozen=True)
class TokenConfig:
    secret: str
    ttl: timedelta
    issuer: str = DEFAULT_ISSUER
    audience: str = DEFAULT_AUDIENCE


@dataclass(frozen=True)
class TokenClaims:
    user_id: int
    username: str
    role: str
    expires_at: datetime
    session_id: str
    issued_at: datetime


@dataclass(frozen=True)
class IssuedToken:
    token: str
    claims: TokenClaims


def hash_password(password: str) -> str:
    """An argon2id hash of the password."""
    return _hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    """Whether the password matches the stored hash."""
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def new_session_id() -> str:
    """A random, unguessable session id (the token's ``jti``)."""
    return secrets.token_urlsafe(24)


def issue_token(
    config: TokenConfig,
    user_id: int,
    username: str,
    role: str,
    now: datetime,
    session_id: str | None = None,
    expires_at: datetime | None = None,
) -> IssuedToken:
    """A signed token naming the user and a session (a new one unless ``session_id``), valid
    for the configured time (or until ``expires_at``, a renewed session's end)."""
    jti = session_id or new_session_id()
    issued = datetime.fromtimestamp(int(now.timestamp()), tz=UTC)
    expires = (
        issued + config.ttl
        if expires_at is None
        else datetime.fromtimestamp(int(expires_at.timestamp()), tz=UTC)
    )
    claims = {
        "sub": str(user_id),
        "name": username,
        "role": role,
        "jti": jti,
        "iss": config.issuer,
        "aud": config.audience,
        "iat": int(issued.timestamp()),
        "exp": int(expires.timestamp()),
    }
    token = jwt.encode(claims, config.secret, algorithm=_ALGORITHM)
    return IssuedToken(token, TokenClaims(user_id, username, role, expires, jti, issued))


def read_token(config: TokenConfig, token: str, now: datetime) -> TokenClaims:
    """The claims of a valid token at ``now``; NotAuthenticated if forged, malformed, expired,
    for another issuer or audience, or without a session id."""
    parsed = _verified(config, token)
    if parsed.expires_at <= now:
        raise NotAuthenticated("the token has expired: sign in again")
    return parsed


# A token's signature and claims are the same at every request: each process checks a token
# once and keeps its claims (16,384 tokens: a county's tablets and screens), so a tablet's fix
# every 10 s does not decode and verify it again (PyJWT: ~1.8% of an API process under the field
# load). Only a token that passed is kept (a raise is not cached); the expiry is still checked
# at every request, and whether its session is open is the sessions table's (units/sessions.py).
@functools.lru_cache(maxsize=16_384)
def _verified(config: TokenConfig, token: str) -> TokenClaims:
    """The claims of a token whose signature, issuer, audience and required claims are good."""
    try:
        claims = jwt.decode(
            token,
            config.secret,
            algorithms=[_ALGORITHM],
            audience=config.audience,
            issuer=config.issuer,
            options={
                "require": ["sub", "exp", "iat", "jti", "iss", "aud"],
                "verify_exp": False,
                "verify_iat": False,
            },
        )
        parsed = TokenClaims(
            user_id=int(claims["sub"]),
            username=str(claims.get("name", "")),
            role=str(claims.get("role", "")),
            expires_at=datetime.fromtimestamp(int(claims["exp"]), tz=UTC),
            session_id=str(claims["jti"]),
            issued_at=datetime.fromtimestamp(int(claims["iat"]), tz=UTC),
        )
    except (jwt.InvalidTokenError, ValueError, KeyError, TypeError, OverflowError) as exc:
        raise NotAuthenticated("the token is not valid") from exc
    if not parsed.session_id or len(parsed.session_id) > 64:
        raise NotAuthenticated("the token is not valid")
    return parsed
