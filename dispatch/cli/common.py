"""What every command shares: the console and one transaction on the configured database."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import TypeVar

from rich.console import Console
from sqlalchemy.ext.asyncio import AsyncSession

from dispatch.http.database import make_engine, make_sessionmaker
from dispatch.settings import get_settings

T = TypeVar("T")

console = Console()


def in_transaction(work: Callable[[AsyncSession], Awaitable[T]]) -> T:
    """Run ``work`` in one transaction on the configured database: committed, or rolled back."""

    async def run() -> T:
        engine = make_engine(get_settings())
        try:
            async with make_sessionmaker(engine)() as db, db.begin():
                return await work(db)
        finally:
            await engine.dispose()

    return asyncio.run(run())
