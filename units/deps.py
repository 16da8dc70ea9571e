"""Request dependencies every router shares: the request's transaction and the signed-in user.

The app factory puts the session factory and the token configuration on ``app.state``;
reading them from there keeps this package free of the app's settings module.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Annotated, cast

from fastapi import Depends, Request
from fastapi.security import OAuth2PasswordBearer
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from geo.points import InputLimits
from units.exceptions import NotAuthenticated
from units.models import User
from units.security import TokenConfig, read_token

bearer = OAuth2PasswordBearer(tokenUrl="/api/v1/auth/token", auto_error=False)


def session_factory(request: Request) -> async_sessionmaker[AsyncSession]:
    """The app's session factory."""
    return cast(async_sessionmaker[AsyncSession], request.app.state.sessionmaker)


def token_config(request: Request) -> TokenConfig:
    """The app's token configuration."""
    return cast(TokenConfig, request.app.state.token_config)


async def session(request: Request) -> AsyncIterator[AsyncSession]:
    """One transaction per request: committed when the handler returns, else rolled back.

    ``SessionDep`` gives it function scope, so the commit runs before the response is sent: a
    commit that fails is the client's 503, never a 201 for something that does not exist, and
    a client that got its answer can rely on the next request seeing the change.
    """
    async with session_factory(request)() as db, db.begin():
        yield db


SessionDep = Annotated[AsyncSession, Depends(session, scope="function")]


async def current_user(
    request: Request, db: SessionDep, token: Annotated[str | None, Depends(bearer)]
) -> User:
    """The signed-in, active user named by the bearer token."""
    if not token:
        raise NotAuthenticated("sign in first: this endpoint needs a bearer token")
    claims = read_token(token_config(request), token, datetime.now(UTC))
    user = await db.get(User, claims.user_id)
    if user is None or not user.active or user.username != claims.username:
        raise NotAuthenticated("the token's user no longer exists or is disabled")
    return user


CurrentUser = Annotated[User, Depends(current_user)]


def input_limits(request: Request) -> InputLimits:
    """The app's bounds on reported points, times and batch sizes."""
    return cast(InputLimits, request.app.state.input_limits)


LimitsDep = Annotated[InputLimits, Depends(input_limits)]
