"""Bad input to the positions endpoint: a 4xx problem saying what is wrong, nothing written."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from tests.conftest import Login
from tests.e2e.units_helpers import ambulance_row, assert_problem, fix, minutes_ago

POSITIONS = "/api/v1/ambulances/amb-01/positions"
RECENT = minutes_ago(1).isoformat()


def raw(lon: str, lat: str) -> bytes:
    """A JSON body written by hand, so it can hold what json.dumps would refuse."""
    return f'{{"lon": {lon}, "lat": {lat}, "recorded_at": "{RECENT}"}}'.encode()


async def post_raw(
    client: httpx.AsyncClient, headers: dict[str, str], body: bytes
) -> httpx.Response:
    return await client.post(
        POSITIONS, content=body, headers={**headers, "Content-Type": "application/json"}
    )


@pytest.mark.parametrize(
    ("body", "words"),
    [
        (raw("NaN", "33.45"), "lon: Input should be a finite number"),
        (raw("114.9", "NaN"), "lat: Input should be a finite number"),
        (raw("Infinity", "33.45"), "lon: Input should be a finite number"),
        (raw("114.9", "-Infinity"), "lat: Input should be a finite number"),
        (raw("1e999", "33.45"), "lon: Input should be a finite number"),
    ],
)
async def test_nan_and_infinity_are_refused(
    client: httpx.AsyncClient, login: Login, db: AsyncSession, body: bytes, words: str
) -> None:
    """NaN, ±Infinity and overflowing numbers in the JSON are a 422 naming the field."""
    before = await ambulance_row(db, "amb-01")
    response = await post_raw(client, await login("admin"), body)
    assert words in assert_problem(response, 422)["detail"]
    assert before == await ambulance_row(db, "amb-01")


@pytest.mark.parametrize(
    ("position", "words"),
    [
        (fix(lon=190.0), "not on the Earth"),
        (fix(lon=-181.0), "not on the Earth"),
        (fix(lat=95.0), "not on the Earth"),
        (fix(lat=-90.5), "not on the Earth"),
        (fix(lon=33.44, lat=114.88), "swapped"),
        (fix(lon=2.35, lat=48.85), "outside the service area"),
        (fix(lon=0.0, lat=0.0), "outside the service area"),
        (fix(crs="utm"), "crs: Input should be 'wgs84', 'gcj02' or 'bd09'"),
        (fix(crs="WGS84"), "crs"),
        ({**fix(), "recorded_at": "yesterday at noon"}, "recorded_at: Input should be a valid"),
        (
            {**fix(), "recorded_at": "2024-05-01T08:00:00"},
            "recorded_at: Input should have timezone",
        ),
        (fix(at=minutes_ago(-60)), "ahead of the server clock"),
        ({"lon": 114.9, "lat": 33.45}, "recorded_at: Field required"),
        ({"lat": 33.45, "recorded_at": RECENT}, "lon: Field required"),
        ({**fix(), "lon": "east"}, "lon: Input should be a valid number"),
        (fix(speed_kmh=-5), "speed_kmh"),
        (fix(heading=400), "heading"),
        (fix(altitude=12), "altitude: Extra inputs are not permitted"),
    ],
)
async def test_bad_position_is_422_and_nothing_is_written(
    client: httpx.AsyncClient,
    login: Login,
    db: AsyncSession,
    position: dict[str, Any],
    words: str,
) -> None:
    """Out of range, swapped, outside the area, unknown crs, bad or future times: 422, no write."""
    before = await ambulance_row(db, "amb-01")
    response = await client.post(POSITIONS, json=position, headers=await login("admin"))
    assert words in assert_problem(response, 422)["detail"]
    assert before == await ambulance_row(db, "amb-01")


@pytest.mark.parametrize(
    ("third", "words"),
    [
        (
            fix(lon=2.35, lat=48.85),
            "positions[2]: lon 2.35 / lat 48.85 is outside the service area",
        ),
        (fix(at=minutes_ago(-60)), "positions[2]: recorded_at"),
        ({**fix(), "recorded_at": "not a time"}, "positions.2.recorded_at"),
        (fix(crs="utm"), "positions.2.crs"),
    ],
)
async def test_a_batch_with_one_bad_fix_writes_nothing(
    client: httpx.AsyncClient,
    login: Login,
    db: AsyncSession,
    third: dict[str, Any],
    words: str,
) -> None:
    """Two good fixes and a bad third: 422 naming positions[2], and none of the three is stored."""
    before = await ambulance_row(db, "amb-01")
    batch = [fix(114.90, 33.45, minutes_ago(3)), fix(114.91, 33.46, minutes_ago(2)), third]
    response = await client.post(POSITIONS, json=batch, headers=await login("admin"))
    assert words in assert_problem(response, 422)["detail"]
    assert before == await ambulance_row(db, "amb-01")


async def test_an_empty_batch_is_422(
    client: httpx.AsyncClient, login: Login, db: AsyncSession
) -> None:
    """An empty list is a 422 asking for at least one position."""
    before = await ambulance_row(db, "amb-01")
    response = await client.post(POSITIONS, json=[], headers=await login("admin"))
    assert "at least one position" in assert_problem(response, 422)["detail"]
    assert before == await ambulance_row(db, "amb-01")


@pytest.mark.parametrize(
    ("body", "words"),
    [
        (b'{"lon": 114.9, "lat": ', "JSON"),
        (b"{'lon': 114.9}", "JSON"),
        (b"", "body"),
        (b"null", "body"),
        (b'"a string"', "body"),
        (b"[1, 2]", "positions.0"),
    ],
)
async def test_malformed_or_shapeless_json_is_422(
    client: httpx.AsyncClient, login: Login, db: AsyncSession, body: bytes, words: str
) -> None:
    """Broken JSON, an empty body, or JSON that is not a position or a list of them: 422."""
    before = await ambulance_row(db, "amb-01")
    response = await post_raw(client, await login("admin"), body)
    assert words in assert_problem(response, 422)["detail"]
    assert before == await ambulance_row(db, "amb-01")


async def test_malformed_json_detail_says_where(client: httpx.AsyncClient, login: Login) -> None:
    """The detail for broken JSON says it is invalid JSON and at which character."""
    response = await post_raw(client, await login("admin"), b'{"lon": 114.9, "lat": ')
    detail = assert_problem(response, 422)["detail"]
    assert "body: invalid JSON at character 22: Expecting value" == detail


def big_batch() -> bytes:
    """A valid-looking batch of about 1.1 MB, over the 1 MiB limit."""
    one = json.dumps(fix(114.90, 33.45, minutes_ago(1), speed_kmh=40.0, heading=180.0))
    count = 1_100_000 // (len(one) + 2) + 1
    body = ("[" + ", ".join([one] * count) + "]").encode()
    assert 1_048_576 < len(body) < 1_200_000
    return body


async def test_a_body_over_one_mebibyte_is_413(
    client: httpx.AsyncClient, login: Login, db: AsyncSession
) -> None:
    """A 1.1 MB body (with Content-Length) is a 413 problem and nothing is written."""
    before = await ambulance_row(db, "amb-01")
    response = await post_raw(client, await login("admin"), big_batch())
    body = assert_problem(response, 413)
    assert "/problems/body-too-large" == body["type"]
    assert "1048576 bytes" in body["detail"]
    assert before == await ambulance_row(db, "amb-01")


async def test_a_streamed_body_over_one_mebibyte_is_413(
    client: httpx.AsyncClient, login: Login, db: AsyncSession
) -> None:
    """A 1.1 MB body sent in chunks without Content-Length is a 413 problem too."""
    payload = big_batch()

    async def chunks() -> AsyncIterator[bytes]:
        for start in range(0, len(payload), 64 * 1024):
            yield payload[start : start + 64 * 1024]

    before = await ambulance_row(db, "amb-01")
    headers = {**(await login("admin")), "Content-Type": "application/json"}
    response = await client.post(POSITIONS, content=chunks(), headers=headers)
    body = assert_problem(response, 413)
    assert "/problems/body-too-large" == body["type"]
    assert before == await ambulance_row(db, "amb-01")


async def test_positions_for_an_unknown_ambulance_are_404(
    client: httpx.AsyncClient, login: Login, db: AsyncSession
) -> None:
    """A fix for an id that names no ambulance is a 404 problem and nothing is stored."""
    count_before = await db.scalar(text("select count(*) from ambulance_positions"))
    response = await client.post(
        "/api/v1/ambulances/amb-99/positions", json=fix(), headers=await login("admin")
    )
    body = assert_problem(response, 404)
    assert "no ambulance with id 'amb-99'" == body["detail"]
    count_after = await db.scalar(text("select count(*) from ambulance_positions"))
    assert count_before == count_after


@pytest.mark.parametrize("path", ["/api/v1/nowhere", "/api/v1/ambulances/amb-01/teleport", "/x"])
async def test_an_unknown_path_is_404_problem(
    client: httpx.AsyncClient, login: Login, path: str
) -> None:
    """A path that names no endpoint is a 404 problem naming the path."""
    response = await client.get(path, headers=await login("admin"))
    assert f"no such path: {path}" == assert_problem(response, 404)["detail"]


async def test_a_wrong_method_is_405_problem_with_allow(
    client: httpx.AsyncClient, login: Login
) -> None:
    """DELETE on /facilities is a 405 problem naming the method, with an Allow header."""
    response = await client.delete("/api/v1/facilities", headers=await login("admin"))
    body = assert_problem(response, 405)
    assert "/problems/method-not-allowed" == body["type"]
    assert "DELETE is not allowed on /api/v1/facilities; allowed: GET" == body["detail"]
    assert "GET" == response.headers["allow"]
