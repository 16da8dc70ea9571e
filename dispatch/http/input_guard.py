"""Refuse bad input before any handler runs (issue 12, finding 10): one pure ASGI middleware.

Every request's path segments, query parameters and JSON or form body are checked once, for
every router alike:

- no NUL character (``\\u0000``) in any text: PostgreSQL cannot store it in ``text``;
- no integer outside PostgreSQL's ``bigint`` (-2^63 .. 2^63-1): every id of the database is a
  bigint, and asyncpg cannot even send a larger one;
- no ``NaN``, ``Infinity`` or overflowing number (``1e999``) in a JSON body.

A refused request answers a 422 problem+json naming the field, and reaches no handler, so
nothing is written. The checks are pure functions (``problems_in_*``), the middleware their edge.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qsl

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from dispatch.http.problems import problem

BIGINT_MIN = -(2**63)
BIGINT_MAX = 2**63 - 1
NUL = "\x00"
MAX_PROBLEMS = 10


def _integer_out_of_range(text: str) -> bool:
    digits = text[1:] if text[:1] in "+-" else text
    if not digits.isdigit() or not digits.isascii() or len(digits) < 19:
        return False
    return not BIGINT_MIN <= int(text) <= BIGINT_MAX


def problem_in_text(where: str, value: str) -> str | None:
    """Why a path segment or query value is refused (None: it is not)."""
    if NUL in value:
        return f"{where}: NUL characters are not allowed"
    if _integer_out_of_range(value.strip()):
        return f"{where}: {value.strip()[:40]} is outside the database's integer range"
    return None


def problems_in_path(path: str) -> list[str]:
    """Problems of the (percent-decoded) path's segments."""
    found = (problem_in_text("path", segment) for segment in path.split("/"))
    return [p for p in found if p is not None]


def problems_in_query(query_string: bytes) -> list[str]:
    """Problems of the query's (percent-decoded) names and values."""
    pairs = parse_qsl(query_string.decode("latin-1"), keep_blank_values=True, errors="replace")
    found: list[str] = []
    for name, value in pairs:
        where = name.replace(NUL, "\\u0000")[:40] or "query"
        for problem_found in (problem_in_text(where, name), problem_in_text(where, value)):
            if problem_found is not None:
                found.append(problem_found)
    return found


def _walk(value: Any, where: str) -> Iterator[str]:
    if isinstance(value, str):
        if NUL in value:
            yield f"{where}: NUL characters are not allowed"
    elif isinstance(value, bool):
        return
    elif isinstance(value, int):
        if not BIGINT_MIN <= value <= BIGINT_MAX:
            yield f"{where}: the number is outside the database's integer range"
    elif isinstance(value, float):
        if not math.isfinite(value):
            yield f"{where}: Input should be a finite number"
    elif isinstance(value, dict):
        for key, item in value.items():
            if NUL in key:
                yield f"{where}: NUL characters are not allowed in names"
            yield from _walk(item, f"{where}.{key}" if where != "body" else key)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _walk(item, f"{where}.{index}" if where != "body" else str(index))


def problems_in_json(body: bytes) -> list[str]:
    """Problems of a JSON body; a body that is not JSON is left to the request's validation."""
    try:
        document = json.loads(body)  # NaN and Infinity become floats, refused by the walk
    except ValueError:  # invalid JSON or UTF-8: FastAPI answers its own 422
        return []
    return list(_walk(document, "body"))


def problems_in_form(body: bytes) -> list[str]:
    """Problems of an ``application/x-www-form-urlencoded`` body."""
    return problems_in_query(body)


class InputGuard:
    """Refuse NUL characters, out-of-range integers and non-finite numbers with a 422 problem.

    Sits inside ``BodyLimit`` (so the body it reads is already bounded) and reads a JSON or
    form body whole before the app does, then hands the app the same bytes.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        found = problems_in_path(scope["path"]) + problems_in_query(scope["query_string"])
        if scope["type"] == "websocket":
            if found:  # refused before it is accepted
                await send({"type": "websocket.close", "code": 1008, "reason": found[0][:120]})
                return
            await self.app(scope, receive, send)
            return
        if found:
            await _refuse(scope, receive, send, found)
            return
        content_type = dict(scope["headers"]).get(b"content-type", b"").split(b";")[0].strip()
        check = {
            b"application/json": problems_in_json,
            b"application/x-www-form-urlencoded": problems_in_form,
        }.get(content_type.lower())
        if check is None or scope["method"] in ("GET", "HEAD", "OPTIONS"):
            await self.app(scope, receive, send)
            return
        chunks: list[bytes] = []
        more = True
        while more:
            message = await receive()
            if message["type"] != "http.request":  # the client went away
                return
            chunks.append(message.get("body", b""))
            more = bool(message.get("more_body", False))
        body = b"".join(chunks)
        found = check(body)
        if found:
            await _refuse(scope, receive, send, found)
            return
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        await self.app(scope, replay, send)


async def _refuse(scope: Scope, receive: Receive, send: Send, found: list[str]) -> None:
    shown = found[:MAX_PROBLEMS]
    errors = [
        {"field": text.split(": ", 1)[0], "message": text.split(": ", 1)[-1]} for text in shown
    ]
    response = problem(422, "invalid-input", "Invalid input", "; ".join(shown), errors=errors)
    await response(scope, receive, send)
