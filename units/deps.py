"""Request dependencies every router shares: the request's transaction and the signed-in user.

The transaction and the input limits are geo's (``geo.deps``), the lowest package with routes;
the token configuration is read from ``app.state``, which keeps this package free of the app's
settings module.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, cast

from fastapi import Depends, Request
from fastapi.security import OAuth2PasswordBearer

from geo.deps import LimitsDep, SessionDep, session_factory
from units.exceptions import NotAuthenticated
from units.models import User
from units.security import TokenClaims, TokenConfig, read_token
from units.session_cache import SessionCache
from units.sessions import read_and_remember, remembered_user, signed_in_user

__all__ = [
    "CurrentClaims",
    "CurrentUser",
    "CurrentUserDetached",
    "LimitsDep",
    "SessionDep",
    "current_user",
    "current_user_detached",
    "session_factory",
]

bearer = OAuth2PasswordBearer(tokenUrl="/api/v1/auth/token", auto_error=False)


def token_config(request: Request) -> TokenConfig:
    """The app's token configuration."""
    return cast(TokenConfig, request.app.state.token_config)


def _claims(request: Request, token: str | None, now: datetime) -> TokenClaims:
    """The bearer token's claims, checked (signature, issuer, audience, expiry)."""
    if not token:
        raise NotAuthenticated("sign in first: this endpoint needs a bearer token")
    return read_token(token_config(request), token, now)


def _session_cache(request: Request) -> SessionCache | None:
    return cast(SessionCache | None, getattr(request.app.state, "session_cache", None))


def _signed_in(request: Request, claims: TokenClaims, user: User) -> User:
    """Note the caller on the request (its claims; the user for the audit trail, units.audit)."""
    request.state.token_claims = claims
    request.state.user = user
    return user


async def current_user(
    request: Request, db: SessionDep, token: Annotated[str | None, Depends(bearer)]
) -> User:
    """The signed-in, active user named by the bearer token."""
    now = datetime.now(UTC)
    claims = _claims(request, token, now)
    return _signed_in(
        request, claims, await signed_in_user(db, claims, now, _session_cache(request))
    )


CurrentUser = Annotated[User, Depends(current_user)]


async def current_user_detached(
    request: Request, token: Annotated[str | None, Depends(bearer)]
) -> User:
    """``current_user`` for a route without a transaction of its own (the GPS fixes, written by
    the group commit's connection, ``units.track_writer``): the same checks, but a session the
    process remembers costs no database session at all (a tablet's fix every 10 s: the request
    is mostly this), and another is read in a short transaction of its own. The user is not in
    any session: read it, do not change it."""
    now = datetime.now(UTC)
    claims = _claims(request, token, now)
    cache = _session_cache(request)
    user = remembered_user(claims, now, cache)
    if user is None:
        async with session_factory(request)() as db, db.begin():
            user = await read_and_remember(db, claims, now, cache)
    return _signed_in(request, claims, user)


CurrentUserDetached = Annotated[User, Depends(current_user_detached)]


async def token_claims(request: Request, user: CurrentUser) -> TokenClaims:
    """The signed-in caller's token claims (its session id among them)."""
    del user  # resolved first: it checks the token and its session
    return cast(TokenClaims, request.state.token_claims)


CurrentClaims = Annotated[TokenClaims, Depends(token_claims)]
