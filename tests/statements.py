"""Counting what a test's connection sends to the database (statement-count assertions)."""

from __future__ import annotations

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncConnection


def statements_on(connection: AsyncConnection, table: str) -> list[str]:
    """The statements run on this connection from now on that name ``table``."""
    seen: list[str] = []

    def before(*args: object) -> None:
        statement = str(args[2])
        if table in statement:
            seen.append(statement)

    event.listen(connection.sync_connection, "before_cursor_execute", before)
    return seen
