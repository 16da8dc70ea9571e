"""Decision support's per-centre door-to-wire comes from the report read model, in one query.

The fixture cases (and a few more PCI cases, one of them a drill) are stored and their read
model refreshed as a stamp refreshes it; the read model's answer must equal what the previous
code computed from the raw events per centre (kept below, frozen, as the reference).
"""

from __future__ import annotations

import statistics
from datetime import timedelta
from typing import Any

from sqlalchemy import event, select
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from dispatch.cases import events as case_events
from dispatch.cases.intervals import compute_intervals
from dispatch.cases.models import Case, CaseEvent
from dispatch.cases.pathways import load_pathways
from dispatch.reports.recent import recent_door_to_wire
from tests.integration.test_report_sql import load_fixture
from tests.unit.test_report_fixtures import CITY, COUNTY, FIXTURES, FixtureCase, Row, local

RECENT_CASES = 50


async def old_recent_door_to_wire(db: AsyncSession, facility_id: str) -> list[float]:
    """The code decision support used before (one query per case, pci capability assumed)."""
    case_ids = (
        await db.scalars(
            select(CaseEvent.case_id)
            .where(CaseEvent.milestone == "wire_crossing", CaseEvent.facility_id == facility_id)
            .order_by(CaseEvent.at.desc())
            .limit(RECENT_CASES)
        )
    ).all()
    minutes: list[float] = []
    for case_id in dict.fromkeys(case_ids):
        case = await db.get(Case, case_id)
        if case is None or case.drill or case.pathway not in load_pathways():
            continue
        stamps = case_events.stamps_of(await case_events.case_events(db, case_id))
        caps = {facility_id: frozenset({"pci"})}
        for result in compute_intervals(load_pathways()[case.pathway], stamps, caps):
            if result.name == "door_to_wire" and result.minutes is not None and result.minutes >= 0:
                minutes.append(result.minutes)
    return minutes


def pci_case(key: str, facility: str, day: int, door_to_wire: int, drill: bool = False) -> Any:
    """A direct admission to a PCI centre, wire crossed ``door_to_wire`` minutes after the door."""
    door = local(5, day, 9, 0)
    rows = (
        Row("facility_arrival", door, facility),
        Row("first_medical_contact", door, facility),
        Row("wire_crossing", door + timedelta(minutes=door_to_wire), facility),
    )
    return FixtureCase(key, "stemi", rows, drill=drill)


MORE = (
    pci_case("g1", COUNTY, 2, 70),
    pci_case("g2", COUNTY, 3, 95),
    pci_case("g3", COUNTY, 4, 61),
    pci_case("g_drill", COUNTY, 5, 10, drill=True),
    pci_case("h1", CITY, 2, 55),
    pci_case("h2", CITY, 3, 80),
)


async def test_the_read_model_gives_the_same_door_to_wire_as_the_raw_events(
    db: AsyncSession,
) -> None:
    """Per centre, the read model's recent door-to-wire equals the old raw-event computation."""
    for case in (*FIXTURES, *MORE):
        await load_fixture(db, case)
    found = await recent_door_to_wire(db, [COUNTY, CITY, "no-such-centre"])
    for centre in (COUNTY, CITY):
        old = await old_recent_door_to_wire(db, centre)
        assert sorted(old) == sorted(found[centre])
        assert statistics.median(old) == statistics.median(found[centre])
    assert [] == found["no-such-centre"]
    assert 10.0 not in found[COUNTY]  # the drill is left out


async def test_every_centre_is_answered_in_one_query(
    db: AsyncSession, connection: AsyncConnection
) -> None:
    """All the centres asked about are answered by one SQL statement, however many there are."""
    for case in (*FIXTURES, *MORE):
        await load_fixture(db, case)
    statements: list[str] = []

    def count(*args: Any) -> None:
        statements.append(args[2])

    sync = connection.sync_connection
    assert sync is not None
    event.listen(sync, "before_cursor_execute", count)
    try:
        found = await recent_door_to_wire(db, [COUNTY, CITY])
    finally:
        event.remove(sync, "before_cursor_execute", count)
    assert 1 == len(statements)
    assert {COUNTY, CITY} == {k for k, v in found.items() if v}


async def test_only_the_most_recent_cases_count(db: AsyncSession) -> None:
    """Each centre's list holds its ``limit`` most recent wire crossings, newest first."""
    for case in MORE:
        await load_fixture(db, case)
    found = await recent_door_to_wire(db, [COUNTY, CITY], limit=2)
    assert [61.0, 95.0] == found[COUNTY][:2]
    assert [80.0, 55.0] == found[CITY]
