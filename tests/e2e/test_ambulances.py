"""Ambulances over HTTP: the GeoJSON list, posting GPS fixes (one, a batch, other CRSs) and who."""

from __future__ import annotations

from datetime import datetime

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from dispatch.demo.county import DemoCounty
from geo.crs import from_wgs84
from tests.conftest import Login
from tests.e2e.units_helpers import (
    ambulance_feature,
    ambulance_row,
    assert_problem,
    fix,
    minutes_ago,
)

AMBULANCES = "/api/v1/ambulances"


def positions_path(ambulance_id: str) -> str:
    return f"{AMBULANCES}/{ambulance_id}/positions"


async def test_ambulances_are_a_feature_collection_with_the_contract_properties(
    client: httpx.AsyncClient, login: Login, demo_county: DemoCounty
) -> None:
    """GET /ambulances lists every ambulance with id, callsign, station_id, status, position_at."""
    response = await client.get(AMBULANCES, headers=await login("dispatcher"))
    body = response.json()
    assert 200 == response.status_code
    assert "FeatureCollection" == body["type"]
    assert [a.id for a in demo_county.ambulances] == [f["id"] for f in body["features"]]
    for feature in body["features"]:
        assert {"id", "callsign", "station_id", "status", "position_at"} <= set(
            feature["properties"]
        )
    first = body["features"][0]["properties"]
    expected = demo_county.ambulances[0]
    assert (expected.id, expected.callsign, expected.station_id, "available") == (
        first["id"],
        first["callsign"],
        first["station_id"],
        first["status"],
    )


async def test_status_filter_lists_only_ambulances_in_that_status(
    client: httpx.AsyncClient, login: Login
) -> None:
    """?status=dispatched lists just the ambulance dispatched; ?status=available omits it."""
    headers = await login("dispatcher")
    change = {"status": "dispatched", "at": minutes_ago(1).isoformat()}
    response = await client.post(f"{AMBULANCES}/amb-05/status", json=change, headers=headers)
    assert 200 == response.status_code, response.text
    dispatched = await client.get(AMBULANCES, params={"status": "dispatched"}, headers=headers)
    available = await client.get(AMBULANCES, params={"status": "available"}, headers=headers)
    assert ["amb-05"] == [f["id"] for f in dispatched.json()["features"]]
    available_ids = [f["id"] for f in available.json()["features"]]
    assert "amb-05" not in available_ids
    assert 17 == len(available_ids)


async def test_unknown_status_filter_is_422(client: httpx.AsyncClient, login: Login) -> None:
    """?status= outside the vocabulary is a 422 problem naming the parameter."""
    response = await client.get(
        AMBULANCES, params={"status": "parked"}, headers=await login("admin")
    )
    assert "status" in assert_problem(response, 422)["detail"]


async def test_one_position_moves_the_ambulance(
    client: httpx.AsyncClient, login: Login, db: AsyncSession
) -> None:
    """One fix is stored, moves the ambulance there, and sets position_at to its time."""
    headers = await login("admin")
    at = minutes_ago(2)
    before = await ambulance_row(db, "amb-01")
    response = await client.post(
        positions_path("amb-01"),
        json=fix(114.91, 33.46, at, speed_kmh=42.5, heading=90),
        headers=headers,
    )
    body = response.json()
    assert 200 == response.status_code, response.text
    assert ("amb-01", 1, True) == (body["ambulance_id"], body["accepted"], body["moved"])
    assert at == datetime.fromisoformat(body["position_at"])
    feature = await ambulance_feature(client, headers, "amb-01")
    assert [114.91, 33.46] == feature["geometry"]["coordinates"]
    assert at == datetime.fromisoformat(feature["properties"]["position_at"])
    assert (42.5, 90.0) == (feature["properties"]["speed_kmh"], feature["properties"]["heading"])
    assert before.positions + 1 == (await ambulance_row(db, "amb-01")).positions


async def test_a_batch_is_stored_and_the_newest_fix_wins(
    client: httpx.AsyncClient, login: Login, db: AsyncSession
) -> None:
    """A batch of three (out of order) is all stored; the ambulance sits at the newest fix."""
    headers = await login("admin")
    newest = minutes_ago(1)
    batch = [
        fix(114.90, 33.45, minutes_ago(3)),
        fix(114.92, 33.47, newest),
        fix(114.91, 33.46, minutes_ago(2)),
    ]
    before = await ambulance_row(db, "amb-02")
    response = await client.post(positions_path("amb-02"), json=batch, headers=headers)
    body = response.json()
    assert 200 == response.status_code, response.text
    assert (3, True) == (body["accepted"], body["moved"])
    assert newest == datetime.fromisoformat(body["position_at"])
    feature = await ambulance_feature(client, headers, "amb-02")
    assert [114.92, 33.47] == feature["geometry"]["coordinates"]
    assert before.positions + 3 == (await ambulance_row(db, "amb-02")).positions


async def test_an_older_fix_is_stored_but_does_not_move_the_ambulance(
    client: httpx.AsyncClient, login: Login, db: AsyncSession
) -> None:
    """A fix older than the current position is kept in the track but the ambulance stays put."""
    headers = await login("admin")
    current = minutes_ago(1)
    first = await client.post(
        positions_path("amb-03"), json=fix(114.91, 33.46, current), headers=headers
    )
    assert 200 == first.status_code, first.text
    late = await client.post(
        positions_path("amb-03"), json=fix(114.95, 33.50, minutes_ago(5)), headers=headers
    )
    body = late.json()
    assert 200 == late.status_code, late.text
    assert (1, False) == (body["accepted"], body["moved"])
    assert current == datetime.fromisoformat(body["position_at"])
    row = await ambulance_row(db, "amb-03")
    assert pytest.approx((114.91, 33.46), abs=1e-9) == (row.lon, row.lat)
    assert current == row.position_at
    stored = await db.scalar(
        text(
            "select count(*) from ambulance_positions where ambulance_id = 'amb-03'"
            " and ST_Equals(position, ST_SetSRID(ST_MakePoint(114.95, 33.50), 4326))"
        )
    )
    assert 1 == stored


@pytest.mark.parametrize("crs", ["gcj02", "bd09"])
async def test_chinese_coordinate_systems_are_stored_as_wgs84(
    client: httpx.AsyncClient, login: Login, db: AsyncSession, crs: str
) -> None:
    """A GCJ-02 or BD-09 fix of a known WGS84 point is stored at that WGS84 point (to 1e-6°)."""
    wgs_lon, wgs_lat = 114.8806, 33.4412
    lon, lat = from_wgs84(wgs_lon, wgs_lat, crs)
    assert abs(lon - wgs_lon) + abs(lat - wgs_lat) > 1e-3  # the offset is real, so this can fail
    headers = await login("admin")
    response = await client.post(
        positions_path("amb-04"), json=fix(lon, lat, minutes_ago(1), crs=crs), headers=headers
    )
    assert 200 == response.status_code, response.text
    row = await ambulance_row(db, "amb-04")
    assert pytest.approx((wgs_lon, wgs_lat), abs=1e-6) == (row.lon, row.lat)
    stored = (
        await db.execute(
            text(
                "select ST_X(position), ST_Y(position), input_crs from ambulance_positions"
                " where ambulance_id = 'amb-04' order by id desc limit 1"
            )
        )
    ).one()
    assert pytest.approx((wgs_lon, wgs_lat), abs=1e-6) == (stored[0], stored[1])
    assert crs == stored[2]
    feature = await ambulance_feature(client, headers, "amb-04")
    assert pytest.approx([wgs_lon, wgs_lat], abs=1e-6) == feature["geometry"]["coordinates"]


async def test_crew_posts_positions_for_its_own_ambulance(
    client: httpx.AsyncClient, login: Login, db: AsyncSession
) -> None:
    """crew-amb-01 may post a fix for amb-01."""
    response = await client.post(
        positions_path("amb-01"), json=fix(114.93, 33.44), headers=await login("crew-amb-01")
    )
    assert (200, 1) == (response.status_code, response.json()["accepted"])
    row = await ambulance_row(db, "amb-01")
    assert pytest.approx((114.93, 33.44), abs=1e-9) == (row.lon, row.lat)


async def test_a_fix_records_who_posted_it_in_the_track_not_in_the_audit_trail(
    client: httpx.AsyncClient, login: Login, db: AsyncSession
) -> None:
    """Each fix of a batch keeps the id of the user whose token posted it (issue 17); a fix is
    not a per-request audit entry (500 a second would queue every entry behind the chain's
    lock), while the crew's status change still is."""
    headers = await login("crew-amb-01")
    crew = await db.scalar(text("select id from users where username = 'crew-amb-01'"))
    entries = "select count(*) from audit_log"
    before = await db.scalar(text(entries))
    batch = [fix(114.93, 33.44, minutes_ago(2)), fix(114.94, 33.45, minutes_ago(1))]
    response = await client.post(positions_path("amb-01"), json=batch, headers=headers)
    assert (200, 2) == (response.status_code, response.json()["accepted"])
    reporters = (
        await db.scalars(
            text(
                "select reported_by from ambulance_positions where ambulance_id = 'amb-01'"
                " order by id desc limit 2"
            )
        )
    ).all()
    assert [crew, crew] == reporters
    assert before == await db.scalar(text(entries))
    status = await client.post(
        "/api/v1/ambulances/amb-01/status",
        json={"status": "out_of_service", "at": minutes_ago(0).isoformat()},
        headers=headers,
    )
    assert 200 == status.status_code, status.text
    assert before + 1 == await db.scalar(text(entries))


@pytest.mark.parametrize("username", ["crew-amb-01", "dispatcher", "auditor", "township-th-nandun"])
async def test_others_cannot_post_positions_for_amb_02(
    client: httpx.AsyncClient, login: Login, db: AsyncSession, username: str
) -> None:
    """Only admin and amb-02's own crew post its positions: others get 403, nothing written."""
    before = await ambulance_row(db, "amb-02")
    response = await client.post(
        positions_path("amb-02"), json=fix(114.93, 33.44), headers=await login(username)
    )
    body = assert_problem(response, 403)
    assert "amb-02" in body["detail"]
    assert before == await ambulance_row(db, "amb-02")


async def test_a_fix_needs_an_open_session(
    client: httpx.AsyncClient, login: Login, db: AsyncSession
) -> None:
    """The fixes' route has no transaction of its own (``CurrentUserDetached``) but the same
    checks as every route: no token, a token whose session was signed out, a forged token are
    401, and nothing is written; the same crew's next session posts again."""
    before = await ambulance_row(db, "amb-01")
    headers = await login("crew-amb-01")
    assert 204 == (await client.post("/api/v1/auth/logout", headers=headers)).status_code
    forged = {"Authorization": headers["Authorization"][:-4] + "AAAA"}
    for refused in ({}, headers, forged):
        response = await client.post(positions_path("amb-01"), json=fix(), headers=refused)
        assert_problem(response, 401)
    assert before == await ambulance_row(db, "amb-01")
    again = await client.post(
        positions_path("amb-01"), json=fix(), headers=await login("crew-amb-01")
    )
    assert (200, 1) == (again.status_code, again.json()["accepted"])
