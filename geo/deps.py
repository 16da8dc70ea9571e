"""Request dependencies every router shares: the request's transaction and the input limits.

The app factory puts the session factory and the limits on ``app.state``; reading them from
there keeps the packages free of the app's settings module. The signed-in user is ``units``'
(``units.deps.CurrentUser``); geo's routes are given it by the app when it includes them.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated, cast

from fastapi import Depends, Request
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from geo.points import InputLimits


def session_factory(request: Request) -> async_sessionmaker[AsyncSession]:
    """The app's session factory."""
    return cast(async_sessionmaker[AsyncSession], request.app.state.sessionmaker)


async def session(request: Request) -> AsyncIterator[AsyncSession]:
    """One transaction per request: committed when the handler returns, else rolled back.

    ``SessionDep`` gives it function scope, so the commit runs before the response is sent: a
    commit that fails is the client's 503, never a 201 for something that does not exist, and
    a client that got its answer can rely on the next request seeing the change.
    """
    async with session_factory(request)() as db, db.begin():
        yield db


SessionDep = Annotated[AsyncSession, Depends(session, scope="function")]


async def input_limits(request: Request) -> InputLimits:
    """The app's bounds on reported points, times and batch sizes (``async``: FastAPI runs a plain
    ``def`` dependency in its thread pool, a thread hop per request for reading an attribute)."""
    return cast(InputLimits, request.app.state.input_limits)


LimitsDep = Annotated[InputLimits, Depends(input_limits)]
