"""FMC -> first ECG over all chest-pain patients combined (issue 14; DOMAIN.md "Intervals and
targets": STEMI, other pathways and all combined), against the real read model and SQL.

Seven chest-pain cases (FMC -> first ECG in minutes, local month, facility):

- STEMI: 14 (March, Nandun), 6 (March, county), 1 and 11 (April, county): median 8.5;
- undifferentiated chest pain: 2 (March, Nandun), 3 (March, county), 9 (April, county): median 3;
- all chest pain: 1 2 3 6 9 11 14: n 7, median 6 (not 8.5, 3, nor their mean 5.75), p90 12.2;
  March 2 3 6 14: 3 of 4 within 10 min = 75 %, mean 6.25: meets the target (STEMI alone, 14
  and 6, does not: 1 of 2, mean 10); April 1 9 11: 2 of 3 = 66.7 %: does not.

A stroke case is in the period too.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from dispatch.reports import service
from dispatch.reports.document import report_json
from dispatch.reports.queries import Scope
from dispatch.reports.service import Report
from tests.integration.test_report_sql import PERIOD, ZONE, load_fixture
from tests.unit.test_report_fixtures import COUNTY, D_STROKE, NANDUN, FixtureCase, Row, local

ALL = ("all_chest_pain", "fmc_to_first_ecg")
STEMI = ("stemi", "fmc_to_first_ecg")
# (pathway, month, day, facility, FMC -> first ECG minutes)
CASES = (
    ("stemi", 3, 5, NANDUN, 14), ("stemi", 3, 6, COUNTY, 6),
    ("stemi", 4, 5, COUNTY, 1), ("stemi", 4, 6, COUNTY, 11),
    ("chest_pain", 3, 7, NANDUN, 2), ("chest_pain", 3, 8, COUNTY, 3),
    ("chest_pain", 4, 7, COUNTY, 9),
)  # fmt: skip


def ecg_case(pathway: str, month: int, day: int, facility: str, minutes: int) -> FixtureCase:
    """A walk-in at ``facility``: first contact at the door, first ECG ``minutes`` later."""
    door = local(month, day, 10, 0)
    rows = (
        Row("facility_arrival", door, facility),
        Row("first_medical_contact", door, facility),
        Row("first_ecg", door + timedelta(minutes=minutes), facility),
    )
    return FixtureCase(f"{pathway}-{month}-{day}", pathway, rows)


@pytest.fixture
async def cases(db: AsyncSession) -> dict[int, int]:
    """The seven chest-pain cases and the stroke case stored; case id by minutes (and 0: the
    stroke). The stroke case is given an FMC -> first ECG fact of 100 minutes in the read model,
    as it would have if its pathway measured it: it must still stay out of the chest-pain row."""
    ids = {c[-1]: await load_fixture(db, ecg_case(*c)) for c in CASES}
    ids[0] = await load_fixture(db, D_STROKE)
    await db.execute(
        text(
            "INSERT INTO report_facts (case_id, name, leg, pathway, drill, facility_id, ref_at,"
            " month, minutes, target_minutes, met) SELECT case_id, 'fmc_to_first_ecg', 0,"
            " pathway, drill, facility_id, ref_at, month, 100, 10, false FROM report_cases"
            " WHERE case_id = :c"
        ),
        {"c": ids[0]},
    )
    return ids


async def report(db: AsyncSession, **scope: Any) -> Report:
    return await service.build_report(
        db, Scope(*PERIOD, ZONE, **scope), 60.0, datetime.now(UTC), cases="none"
    )


async def test_the_combined_row_is_the_union_of_both_chest_pain_pathways(
    db: AsyncSession, cases: dict[int, int]
) -> None:
    """n is the two pathways' n summed; median and p90 are the union's; stroke is left out."""
    found = {item.metric.key: item for item in (await report(db)).metrics}
    stemi, chest_pain = found[STEMI].groups.total, found[("chest_pain", "fmc_to_first_ecg")]
    combined = found[ALL].groups.total
    assert (4, 3) == (stemi.n, chest_pain.groups.total.n)
    assert (8.5, 3.0) == (stemi.median, chest_pain.groups.total.median)
    assert (7, 6.0) == (combined.n, combined.median)
    assert pytest.approx(12.2) == combined.p90
    assert pytest.approx(46 / 7) == combined.mean
    assert (7, 5) == (combined.judged, combined.met)  # the stroke's 100 minutes not among them
    by_facility = {f: (g.n, g.median) for f, g in found[ALL].groups.by_facility.items()}
    assert {NANDUN: (2, 8.0), COUNTY: (5, 6.0)} == by_facility
    # its longest cases are its members' longest: 14 (STEMI) and 11 (STEMI); none from stroke
    assert [(cases[14], 14.0), (cases[11], 11.0)] == [
        (w.case_id, w.minutes) for w in found[ALL].worst
    ]
    assert ("chest_pain", "stemi") == found[ALL].metric.members


async def test_the_combined_row_is_judged_at_75_percent_by_month(
    db: AsyncSession, cases: dict[int, int]
) -> None:
    """March: 3 of 4 within 10 min (75 %) and mean 6.25 < 10 meets; April: 2 of 3 does not."""
    body = report_json(await report(db))
    rows = {(m["pathway"], m["name"]): m for m in body["metrics"]}
    combined = rows[ALL]
    assert ["chest_pain", "stemi"] == combined["combines"]
    assert "首次医疗接触至首份心电图（全部胸痛患者）" == combined["label_zh"]
    assert "FMC to first ECG (all chest pain)" == combined["label_en"]
    months = {m["month"]: m for m in combined["by_month"]}
    assert (4, 3, 0.75, 6.25) == tuple(
        months["2025-03"][k] for k in ("n", "met", "compliance", "mean")
    )
    assert {"mean": True, "compliance": True} == months["2025-03"]["meets"]
    assert (3, 2, 0.6667) == tuple(months["2025-04"][k] for k in ("n", "met", "compliance"))
    assert {"mean": True, "compliance": False} == months["2025-04"]["meets"]
    stemi_march = next(m for m in rows[STEMI]["by_month"] if m["month"] == "2025-03")
    assert {"mean": False, "compliance": False} == stemi_march["meets"]  # 14, 6 alone


async def test_the_combined_row_only_in_a_report_of_every_pathway(
    db: AsyncSession, cases: dict[int, int]
) -> None:
    """Narrowed to a pathway (chest pain or not) there is no combined row; narrowed to a
    facility there is, over that facility's cases."""
    for pathway in ("stemi", "chest_pain", "stroke"):
        keys = {item.metric.key for item in (await report(db, pathway=pathway)).metrics}
        assert not any(key[0] == ALL[0] for key in keys), pathway
    nandun = {item.metric.key: item for item in (await report(db, facility_id=NANDUN)).metrics}
    assert (2, 8.0) == (nandun[ALL].groups.total.n, nandun[ALL].groups.total.median)
    assert {date(2025, 3, 1)} == set(nandun[ALL].groups.by_month)
