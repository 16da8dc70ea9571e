"""Fixtures of the integration tests that commit for real and put things back."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

# The road import command commits: its tests put the committed network back afterwards.
ROAD_TABLES = ("road_nodes", "road_segments", "road_network", "road_turn_restrictions")


@pytest.fixture
async def saved_roads(engine: AsyncEngine) -> AsyncIterator[AsyncEngine]:
    """The engine; the committed road tables are copied before the test and restored after."""
    async with engine.begin() as connection:
        for table in ROAD_TABLES:
            await connection.execute(text(f"DROP TABLE IF EXISTS saved_{table}"))
            await connection.execute(text(f"CREATE TABLE saved_{table} AS TABLE {table}"))
    try:
        yield engine
    finally:
        async with engine.begin() as connection:
            for table in ROAD_TABLES:
                await connection.execute(text(f"DELETE FROM {table}"))  # noqa: S608 - fixed names
                await connection.execute(text(f"INSERT INTO {table} TABLE saved_{table}"))
                await connection.execute(text(f"DROP TABLE saved_{table}"))
