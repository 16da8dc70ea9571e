"""The synthetic demo county as loaded into the test database."""

from __future__ import annotations

from collections import Counter
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from dispatch.demo.county import TOWNSHIPS, DemoCounty
from dispatch.demo.load import DEMO_PASSWORD, demo_logins
from units.security import verify_password

TIED_ROLES = ("township", "cathlab", "crew")


async def rows(db: AsyncSession, sql: str, **params: Any) -> list[dict[str, Any]]:
    """The query's rows as dicts."""
    return [dict(row._mapping) for row in await db.execute(text(sql), params)]


async def test_facility_kinds_are_counted_as_generated(
    db: AsyncSession, demo_county: DemoCounty
) -> None:
    """The demo facilities in the database, per kind, are exactly those the generator makes."""
    expected = Counter(facility.kind for facility in demo_county.facilities)
    found = await rows(
        db, "SELECT kind, count(*) AS n FROM facilities WHERE synthetic GROUP BY kind"
    )
    assert dict(expected) == {row["kind"]: row["n"] for row in found}
    ids = await rows(db, "SELECT id FROM facilities WHERE synthetic")
    assert {facility.id for facility in demo_county.facilities} == {row["id"] for row in ids}


async def test_every_generated_facility_and_place_is_marked_synthetic(
    db: AsyncSession, demo_county: DemoCounty
) -> None:
    """Every facility, place and ambulance of the demo county is stored with synthetic = true."""
    facilities = await rows(
        db,
        "SELECT id, synthetic FROM facilities WHERE id = ANY(:ids)",
        ids=[facility.id for facility in demo_county.facilities],
    )
    places = await rows(
        db,
        "SELECT id, synthetic FROM places WHERE id = ANY(:ids)",
        ids=[place.id for place in demo_county.places],
    )
    ambulances = await rows(
        db,
        "SELECT id, synthetic FROM ambulances WHERE id = ANY(:ids)",
        ids=[ambulance.id for ambulance in demo_county.ambulances],
    )
    assert {facility.id: True for facility in demo_county.facilities} == {
        row["id"]: row["synthetic"] for row in facilities
    }
    assert {place.id: True for place in demo_county.places} == {
        row["id"]: row["synthetic"] for row in places
    }
    assert {ambulance.id: True for ambulance in demo_county.ambulances} == {
        row["id"]: row["synthetic"] for row in ambulances
    }


async def test_places_hold_the_county_its_townships_and_over_300_villages(
    db: AsyncSession, demo_county: DemoCounty
) -> None:
    """places holds one county, every township and at least 300 villages, as generated."""
    found = await rows(
        db, "SELECT kind, count(*) AS n FROM places WHERE synthetic GROUP BY kind ORDER BY kind"
    )
    counts = {row["kind"]: row["n"] for row in found}
    assert dict(Counter(place.kind for place in demo_county.places)) == counts
    assert 1 == counts["county"]
    assert len(TOWNSHIPS) == counts["township"]
    assert counts["village"] >= 300


async def test_one_county_hospital_with_round_the_clock_pci(db: AsyncSession) -> None:
    """There is exactly one county hospital and it offers PCI 24/7."""
    found = await rows(
        db, "SELECT id, capabilities, status FROM facilities WHERE kind = 'county_hospital'"
    )
    assert ["county-hospital"] == [row["id"] for row in found]
    assert {"pci", "pci_24_7"} <= set(found[0]["capabilities"])


async def test_every_ambulance_waits_at_an_existing_station(
    db: AsyncSession, demo_county: DemoCounty
) -> None:
    """Every demo ambulance belongs to an ambulance station and stands within 1 m of it."""
    found = await rows(
        db,
        "SELECT a.id, a.station_id, f.kind,"
        " ST_Distance(a.position::geography, f.location::geography) AS metres"
        " FROM ambulances a LEFT JOIN facilities f ON f.id = a.station_id"
        " WHERE a.synthetic ORDER BY a.id",
    )
    assert {a.id: (a.station_id, "ambulance_station") for a in demo_county.ambulances} == {
        row["id"]: (row["station_id"], row["kind"]) for row in found
    }
    assert [] == [row["id"] for row in found if row["metres"] is None or row["metres"] > 1.0]


async def test_every_demo_login_exists_with_its_role_and_ties(
    db: AsyncSession, demo_county: DemoCounty
) -> None:
    """Each demo login is an active user with its role, facility and ambulance as generated."""
    logins = demo_logins(demo_county)
    found = await rows(
        db,
        "SELECT username, role, facility_id, ambulance_id, active FROM users"
        " WHERE username = ANY(:names)",
        names=[login.username for login in logins],
    )
    assert {
        login.username: (login.role, login.facility_id, login.ambulance_id, True)
        for login in logins
    } == {
        row["username"]: (row["role"], row["facility_id"], row["ambulance_id"], row["active"])
        for row in found
    }
    roles = {login.role for login in logins}
    assert {
        "admin",
        "dispatcher",
        "auditor",
        "data_manager",
        "crew",
        "township",
        "cathlab",
        "ecg_reader",
    } == roles


async def test_one_demo_user_per_role_signs_in_with_the_demo_password(
    db: AsyncSession, demo_county: DemoCounty
) -> None:
    """The first demo user of every role has the documented password "demo"."""
    first_per_role: dict[str, str] = {}
    for login in demo_logins(demo_county):
        first_per_role.setdefault(login.role, login.username)
    found = await rows(
        db,
        "SELECT username, password_hash FROM users WHERE username = ANY(:names)",
        names=list(first_per_role.values()),
    )
    assert {name: True for name in first_per_role.values()} == {
        row["username"]: verify_password(row["password_hash"], DEMO_PASSWORD) for row in found
    }


async def test_demo_ties_point_at_the_right_kind_of_unit(
    db: AsyncSession, demo_county: DemoCounty
) -> None:
    """Township users belong to township units, cath-lab users to PCI centres, crews to vehicles."""
    found = await rows(
        db,
        "SELECT u.username, u.role, f.kind, f.capabilities, a.id AS ambulance"
        " FROM users u LEFT JOIN facilities f ON f.id = u.facility_id"
        " LEFT JOIN ambulances a ON a.id = u.ambulance_id"
        " WHERE u.username LIKE 'township-%' OR u.username LIKE 'cathlab-%'"
        " OR u.username LIKE 'crew-%'",
    )
    wrong = [
        row["username"]
        for row in found
        if not (
            (row["role"] == "township" and row["kind"] == "township_unit")
            or (row["role"] == "cathlab" and "pci" in (row["capabilities"] or []))
            or (row["role"] == "crew" and row["ambulance"] is not None)
        )
    ]
    assert [] == wrong
    tied = [login for login in demo_logins(demo_county) if login.role in TIED_ROLES]
    assert len(tied) == len(found)
