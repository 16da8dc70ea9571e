"""The input guard's pure checks and the report period's bounds (issue 12, finding 10)."""

from __future__ import annotations

import pytest
from starlette.types import Message, Receive, Scope, Send

from dispatch.http.input_guard import (
    InputGuard,
    problems_in_form,
    problems_in_json,
    problems_in_path,
    problems_in_query,
)
from dispatch.reports.exceptions import InvalidReport
from dispatch.reports.service import period

ZONE = "Asia/Shanghai"


@pytest.mark.parametrize(
    ("path", "refused"),
    [
        ("/api/v1/cases/9223372036854775807", False),  # the largest bigint
        ("/api/v1/cases/9223372036854775808", True),  # one past it
        ("/api/v1/cases/-9223372036854775808", False),  # the smallest
        ("/api/v1/cases/-9223372036854775809", True),
        ("/api/v1/cases/100000000000000000000", True),
        ("/api/v1/cases/12", False),
        ("/api/v1/facilities/a\x00b", True),
        ("/api/v1/facilities/county-hospital", False),
    ],
)
def test_path_segments(path: str, refused: bool) -> None:
    assert refused == bool(problems_in_path(path))


@pytest.mark.parametrize(
    ("query", "refused"),
    [
        (b"since=9223372036854775807", False),
        (b"since=9223372036854775808", True),
        (b"since=-9223372036854775809", True),
        (b"since=%2B9223372036854775808", True),
        (b"q=%00", True),
        (b"q=a%00b&limit=3", True),
        (b"%00=1", True),
        (b"q=%E8%83%B8%E7%97%9B", False),
        (b"q=%FF", False),  # not UTF-8: left to the route's own validation
        (b"from=1900-01-01", False),  # the first year allowed
        (b"from=1899-12-31T23:59:59%2B08:00", True),
        (b"to=2199-12-31", False),  # the last
        (b"to=2200-01-01", True),
        (b"from=0001-01-01", True),
        (b"to=9999-12-31T00:00:00Z", True),
        (b"q=0001-01-01 is a date in a sentence", False),
        (b"", False),
    ],
)
def test_query(query: bytes, refused: bool) -> None:
    assert refused == bool(problems_in_query(query))


@pytest.mark.parametrize(
    ("body", "words"),
    [
        (b'{"hr": NaN}', "hr: Input should be a finite number"),
        (b'{"a": {"b": [1, Infinity]}}', "a.b.1: Input should be a finite number"),
        (b'{"x": -Infinity}', "x: Input should be a finite number"),
        (b'{"x": 1e999}', "x: Input should be a finite number"),
        (b'{"id": 9223372036854775808}', "id: the number is outside"),
        (b'{"id": -9223372036854775809}', "id: the number is outside"),
        (b'{"note": "a\\u0000b"}', "note: NUL characters are not allowed"),
        (b'{"a\\u0000": 1}', "NUL characters are not allowed in names"),
        (b'["\\u0000"]', "0: NUL"),
        (b'{"at": "0001-01-01T00:00:00Z"}', "at: the date is outside the years 1900..2199"),
        (b'{"at": "9999-12-31T23:59:59-12:00"}', "at: the date is outside"),
        (b'{"e": [{"at": "1899-12-31"}]}', "e.0.at: the date is outside"),
    ],
)
def test_json_refused(body: bytes, words: str) -> None:
    assert words in "; ".join(problems_in_json(body))


@pytest.mark.parametrize(
    "body",
    [
        b'{"id": 9223372036854775807, "x": 1.5e308, "ok": true, "n": null}',
        b'{"id": -9223372036854775808}',
        b"not json",  # left to the request's own validation
        b'{"note": "\\\\u0000 is written escaped"}',
        b'{"at": "1900-01-01T00:00:00+08:00", "to": "2199-12-31"}',
        b'{"note": "seen 0001-01-01T00:00:00Z on the monitor"}',
    ],
)
def test_json_accepted(body: bytes) -> None:
    assert [] == problems_in_json(body)


def test_form() -> None:
    assert problems_in_form(b"username=%00&password=demo")
    assert not problems_in_form(b"username=admin&password=demo")


@pytest.mark.parametrize(
    ("start", "end", "refused"),
    [
        ("2020-01-01", "2024-12-31", False),  # 1827 days: the longest
        ("2020-01-02", "2025-01-01", False),  # 1827 days
        ("2020-01-01", "2025-01-01", True),  # 1828 days
        ("2020-01-01", "2025-01-02", True),
        ("2000-01-01", "2000-12-31", False),  # the first year allowed
        ("1999-12-31", "2000-12-31", True),
        ("2099-01-01", "2099-12-31", False),  # the last year allowed
        ("2099-12-31", "2100-01-01", True),
        ("0001-01-01", "0001-12-31", True),
        ("9999-01-01", "9999-12-31", True),
        ("0001-01-01T00:00:00+08:00", "0001-01-02T00:00:00+08:00", True),
        ("2024-01-01", "2023-12-31", True),  # swapped
    ],
)
def test_report_period_bounds(start: str, end: str, refused: bool) -> None:
    if refused:
        with pytest.raises(InvalidReport):
            period(start, end, ZONE)
    else:
        first, last = period(start, end, ZONE)
        assert first < last


def test_report_period_limit_is_a_setting() -> None:
    period("2024-01-01", "2024-01-31", ZONE, max_days=31)
    with pytest.raises(InvalidReport, match="longer than 30 days"):
        period("2024-01-01", "2024-01-31", ZONE, max_days=30)


@pytest.mark.parametrize(
    ("path", "query"),
    [
        ("/ws/dispatch/alerts", f"since={10**20}".encode()),
        ("/ws/dispatch/alerts", b"since=9223372036854775808"),
        ("/ws/facilities/county-hospital/alerts", b"epoch=-9223372036854775809"),
        ("/ws/facilities/a\x00b/alerts", b""),
    ],
)
async def test_a_websocket_with_bad_input_is_closed_before_it_is_accepted(
    path: str, query: bytes
) -> None:
    """The guard closes it (1008, policy violation) before the route or the database sees it."""
    reached: list[str] = []
    sent: list[Message] = []

    async def route(scope: Scope, receive: Receive, send: Send) -> None:
        reached.append(scope["path"])

    async def receive() -> Message:
        return {"type": "websocket.connect"}

    async def send(message: Message) -> None:
        sent.append(message)

    scope = {"type": "websocket", "path": path, "query_string": query, "headers": []}
    await InputGuard(route)(scope, receive, send)
    assert [] == reached
    assert [("websocket.close", 1008)] == [(m["type"], m["code"]) for m in sent]


async def test_a_good_websocket_reaches_its_route() -> None:
    reached: list[str] = []

    async def route(scope: Scope, receive: Receive, send: Send) -> None:
        reached.append(scope["path"])

    async def nothing() -> Message:
        return {"type": "websocket.connect"}

    async def ignore(message: Message) -> None:
        return None

    scope = {"type": "websocket", "path": "/ws/dispatch/alerts", "query_string": b"since=3"}
    await InputGuard(route)({**scope, "headers": []}, nothing, ignore)
    assert ["/ws/dispatch/alerts"] == reached
