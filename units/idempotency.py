"""Idempotency-Key, one way for every write that takes one: opening a case, a stamp, an alert.

A request with a key is recorded in one row together with the key and a fingerprint of its
body (``idempotency_key``, ``request_hash``), under a unique index on the key (and its scope,
e.g. the case a stamp belongs to):

- a retry (same key, same body, and the same values in ``must_match``, e.g. the same user)
  gets the earlier row back, marked as a replay, and nothing new is written;
- the same key with another body (or from another user) is refused with the caller's error;
- races are decided by the database, one way everywhere: the row is written with
  ``INSERT ... ON CONFLICT DO NOTHING`` on that unique index and the loser reads the winner.
  Under READ COMMITTED the loser's insert waits for the winner's transaction, so what it then
  reads is committed (or, had the winner rolled back, its own insert went through). No
  savepoint, no caught IntegrityError, no lock held beyond the row's own.

It lives in ``units``, the lowest package every writer can import (``dispatch -> alerts ->
units -> geo``).
"""

from __future__ import annotations

import functools
import hashlib
import json
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar

from sqlalchemy import ColumnElement, select, text
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.dml import ReturningInsert

from geo.orm import Base
from units.exceptions import Conflict

KEY_COLUMN = "idempotency_key"
HASH_COLUMN = "request_hash"


Row = TypeVar("Row", bound=Base)


def request_hash(payload: object) -> str:
    """A stable sha256 of a JSON-able request body: the request's fingerprint."""
    body = json.dumps(payload, sort_keys=True, default=str, ensure_ascii=False)
    return hashlib.sha256(body.encode()).hexdigest()


@dataclass(frozen=True)
class Keyed:
    """A request as idempotency sees it.

    ``key``: the client's Idempotency-Key, or None (then every request writes a new row).
    ``fingerprint``: ``request_hash`` of what makes two requests the same.
    ``scope``: the other columns of the unique index, with this request's values.
    ``must_match``: columns an earlier row must also have these values in to be replayed
    (e.g. ``{"created_by": username}``: a key another user sent is refused, not replayed).
    """

    key: str | None
    fingerprint: str
    scope: Mapping[str, object] = field(default_factory=dict)
    must_match: Mapping[str, object] = field(default_factory=dict)


async def find(db: AsyncSession, model: type[Row], keyed: Keyed) -> Row | None:
    """The row an earlier request with this key (in this scope) made, if any."""
    if keyed.key is None:
        return None
    columns = model.__table__.c
    where: list[ColumnElement[bool]] = [columns[KEY_COLUMN] == keyed.key]
    where += [columns[name] == value for name, value in keyed.scope.items()]
    found: Row | None = await db.scalar(select(model).where(*where))
    return found


def replay(earlier: Row, keyed: Keyed, reused: Exception) -> Row:
    """The earlier row if it answers this very request; else ``reused`` is raised."""
    if getattr(earlier, HASH_COLUMN) != keyed.fingerprint or any(
        getattr(earlier, name) != value for name, value in keyed.must_match.items()
    ):
        raise reused
    return earlier


@functools.cache
def _insert(model: type[Base], conflict: tuple[str, ...] | None) -> ReturningInsert[Any]:
    """The model's INSERT ... RETURNING, built once per model and key scope (the row's values are
    bound at execution: building and keying the statement anew cost a send as much as running
    it); with a scope (``conflict``: its columns), ON CONFLICT DO NOTHING on the key's index."""
    statement = insert(model)
    if conflict is not None:
        statement = statement.on_conflict_do_nothing(
            index_elements=[*conflict, KEY_COLUMN],
            index_where=text(f"{KEY_COLUMN} IS NOT NULL"),
        )
    return statement.returning(model)


async def write_once(
    db: AsyncSession,
    model: type[Row],
    keyed: Keyed,
    values: Callable[[], Awaitable[dict[str, Any]]],
    reused: Exception,
) -> tuple[Row, bool]:
    """The row this request makes, and whether it is a replay of an earlier one.

    ``values`` checks the request and returns the new row's columns; it runs only when no
    earlier row answers the key (so a retry is answered before anything is checked again).
    """
    earlier = await find(db, model, keyed)
    if earlier is not None:
        return replay(earlier, keyed, reused), True
    columns = {**await values(), KEY_COLUMN: keyed.key, HASH_COLUMN: keyed.fingerprint}
    conflict = None if keyed.key is None else tuple(keyed.scope)
    row: Row | None = await db.scalar(_insert(model, conflict), columns)  # the row as written
    if row is None:  # a concurrent request with the same key won the race: read its row
        winner = await find(db, model, keyed)
        if winner is None:
            raise Conflict("a request with this Idempotency-Key could not be recorded: retry")
        return replay(winner, keyed, reused), True
    return row, False
