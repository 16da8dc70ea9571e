"""Password hashing (argon2) and bearer tokens (signed JWT). No I/O."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import jwt
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from units.exceptions import NotAuthenticated

_hasher = PasswordHasher()
_ALGORITHM = "HS256"


@dataclass(frozen=True)
class TokenConfig:
    secret: str
    ttl: timedelta


@dataclass(frozen=True)
class TokenClaims:
    user_id: int
    username: str
    role: str
    expires_at: datetime


def hash_password(password: str) -> str:
    """An argon2id hash of the password."""
    return _hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    """Whether the password matches the stored hash."""
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def issue_token(config: TokenConfig, user_id: int, username: str, role: str, now: datetime) -> str:
    """A signed token naming the user, valid for the configured time."""
    claims = {
        "sub": str(user_id),
        "name": username,
        "role": role,
        "iat": int(now.timestamp()),
        "exp": int((now + config.ttl).timestamp()),
    }
    return jwt.encode(claims, config.secret, algorithm=_ALGORITHM)


def read_token(config: TokenConfig, token: str, now: datetime) -> TokenClaims:
    """The claims of a valid token at ``now``; NotAuthenticated if forged, malformed or expired."""
    try:
        claims = jwt.decode(
            token,
            config.secret,
            algorithms=[_ALGORITHM],
            options={"require": ["sub", "exp"], "verify_exp": False, "verify_iat": False},
        )
        parsed = TokenClaims(
            user_id=int(claims["sub"]),
            username=str(claims.get("name", "")),
            role=str(claims.get("role", "")),
            expires_at=datetime.fromtimestamp(int(claims["exp"]), tz=UTC),
        )
    except (jwt.InvalidTokenError, ValueError, KeyError, TypeError) as exc:
        raise NotAuthenticated("the token is not valid") from exc
    if parsed.expires_at <= now:
        raise NotAuthenticated("the token has expired: sign in again")
    return parsed
