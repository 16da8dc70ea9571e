"""The input guard's pure checks and the report period's bounds (issue 12, finding 10)."""

from __future__ import annotations

import pytest

from dispatch.http.input_guard import (
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
