"""The report's SQL against the pure metric module, on the hand-computed fixtures.

The fixture cases are written as rows (cases, case_events with their flags) and the read model
is refreshed the way a stamp refreshes it; then every figure of every metric, in total, by month
and by facility, must equal what dispatch/reports/metrics.py computes from the same cases.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from dispatch.cases.models import Case, CaseEvent
from dispatch.reports import readmodel, service
from dispatch.reports.combined import COMBINED, combine
from dispatch.reports.exceptions import EmptyPeriod
from dispatch.reports.metrics import Figures, aggregate, month_of, quality_counts
from dispatch.reports.queries import Scope
from tests.unit.test_report_fixtures import (
    B_WALK_IN,
    FIXTURES,
    NANDUN,
    FixtureCase,
    case_input,
    facts_of,
    flags_of,
    local,
)
from units.service import wgs84_point

ZONE = "Asia/Shanghai"
PERIOD = (local(3, 1, 0, 0), local(5, 1, 0, 0))


async def load_fixture(db: AsyncSession, case: FixtureCase) -> int:
    """The fixture as stored rows; returns the case id (the read model refreshed)."""
    row = Case(
        pathway=case.pathway, status="closed", drill=case.drill, synthetic=True,
        location=wgs84_point(114.9, 33.45), input_crs="wgs84", complaint="合成测试",
        created_by="test", created_at=local(11, 1, 0, 0),
    )  # fmt: skip
    db.add(row)
    await db.flush()
    ids: list[int] = []
    for index, stamp in enumerate(case.rows):
        event = CaseEvent(
            case_id=row.id, milestone=stamp.milestone, at=stamp.at, recorded_by="test",
            source="user", facility_id=stamp.facility, note="", reason="fixture" if
            stamp.corrects is not None else "", flags=list(flags_of(case, index)),
            supersedes=None if stamp.corrects is None else ids[stamp.corrects],
        )  # fmt: skip
        db.add(event)
        await db.flush()
        ids.append(event.id)
    await readmodel.refresh_case(db, row.id)
    return row.id


@pytest.fixture
async def loaded(db: AsyncSession) -> dict[str, int]:
    """Every fixture case stored, by key."""
    return {case.key: await load_fixture(db, case) for case in FIXTURES}


def close(expected: Figures, actual: Figures) -> bool:
    """Equal counts, and equal figures to 1e-9 minutes."""

    def same(a: float | None, b: float | None) -> bool:
        return (a is None and b is None) or (a is not None and b is not None and abs(a - b) < 1e-9)

    counts = ("n", "judged", "met", "missing", "negative")
    return all(getattr(expected, c) == getattr(actual, c) for c in counts) and all(
        same(getattr(expected, f), getattr(actual, f)) for f in ("mean", "median", "p90")
    )


async def test_sql_and_pure_agree_on_every_figure(db: AsyncSession, loaded: dict[str, int]) -> None:
    """Every metric (and the combined rows), in total, by local month and by facility: SQL
    equals the pure module."""
    scope = Scope(*PERIOD, ZONE)
    report = await service.build_report(db, scope, 60.0, datetime.now(UTC), cases="none")
    real = [facts_of(c, loaded[c.key]) for c in FIXTURES if not c.drill]
    expected = aggregate(real, month_of(ZONE))
    for combined in COMBINED:  # the combined rows: the same figures over their members' cases
        expected.update(aggregate(combine(real, combined), month_of(ZONE)))
    assert ("all_chest_pain", "fmc_to_first_ecg") in expected
    actual = {item.metric.key: item.groups for item in report.metrics}
    assert set(expected) == set(actual)
    for key, groups in expected.items():
        assert close(groups.total, actual[key].total), key
        assert set(groups.by_month) == set(actual[key].by_month), key
        assert set(groups.by_facility) == set(actual[key].by_facility), key
        for month, figures in groups.by_month.items():
            assert close(figures, actual[key].by_month[month]), (key, month)
        for place, figures in groups.by_facility.items():
            assert close(figures, actual[key].by_facility[place]), (key, place)
    assert {**quality_counts(real), "cases": 5} == report.quality


async def test_the_drill_is_reported_apart(db: AsyncSession, loaded: dict[str, int]) -> None:
    """drill=True reports only the drill: one case, FMC to first ECG 3 minutes."""
    scope = Scope(*PERIOD, ZONE, drill=True)
    report = await service.build_report(db, scope, 60.0, datetime.now(UTC), cases="all")
    figures = {item.metric.name: item.groups.total for item in report.metrics}
    assert (1, 3.0) == (report.case_count, figures["fmc_to_first_ecg"].mean)
    assert [loaded["f_drill"]] == [c.case_id for c in report.cases or []]


async def test_a_facility_sees_only_what_is_attributed_to_it(
    db: AsyncSession, loaded: dict[str, int]
) -> None:
    """Nandun's report: the 47-minute case's Nandun metrics only; door to wire is the county's."""
    scope = Scope(*PERIOD, ZONE, facility_id=NANDUN)
    report = await service.build_report(db, scope, 60.0, datetime.now(UTC), cases="all")
    names = {item.metric.name for item in report.metrics}
    assert "door_to_wire" not in names
    assert {"fmc_to_first_ecg", "door_in_door_out", "critical_value_to_puncture"} <= names
    assert [loaded["a47"]] == [c.case_id for c in report.cases or []]
    assert {NANDUN} == {f.facility_id for c in report.cases or [] for f in c.facts}


async def test_worst_cases_come_furthest_outside_target_first(
    db: AsyncSession, loaded: dict[str, int]
) -> None:
    """Door to wire outside 90: only B (105); DIDO outside 30: Dingji's 55."""
    scope = Scope(*PERIOD, ZONE)
    report = await service.build_report(db, scope, 60.0, datetime.now(UTC), cases="none")
    worst = {
        item.metric.key: [(w.case_id, w.minutes) for w in item.worst] for item in report.metrics
    }
    assert [(loaded["b_walk_in"], 105.0)] == worst[("stemi", "door_to_wire")]
    assert [(loaded["e_dingji"], 55.0)] == worst[("stemi", "door_in_door_out")]
    assert [] == worst[("stemi", "fmc_to_wire_direct")][1:]  # only B (105) is outside 90


async def test_case_rows_only_outside_target(db: AsyncSession, loaded: dict[str, int]) -> None:
    """cases=outside lists the cases with at least one metric outside target, in time order."""
    scope = Scope(*PERIOD, ZONE, pathway="stemi")
    report = await service.build_report(db, scope, 60.0, datetime.now(UTC), cases="outside")
    assert [loaded["b_walk_in"], loaded["e_dingji"]] == [c.case_id for c in report.cases or []]


async def test_an_empty_period_is_refused(db: AsyncSession, loaded: dict[str, int]) -> None:
    """No case in January 2025: EmptyPeriod, whose message names the period."""
    scope = Scope(local(1, 1, 0, 0), local(2, 1, 0, 0), ZONE, pathway="stroke")
    with pytest.raises(EmptyPeriod, match="no case of pathway stroke"):
        await service.build_report(db, scope, 60.0, datetime.now(UTC))


async def test_a_new_stamp_rewrites_the_case_rows(db: AsyncSession, loaded: dict[str, int]) -> None:
    """Refreshing after a correction replaces the rows: no stale or duplicated facts remain."""
    case_id = loaded["a47"]
    before = await db.scalar(
        text("select count(*) from report_facts where case_id = :c"), {"c": case_id}
    )
    await readmodel.refresh_case(db, case_id)
    after = await db.scalar(
        text("select count(*) from report_facts where case_id = :c"), {"c": case_id}
    )
    assert (13, 13) == (before, after)
    minutes = await db.scalar(
        text(
            "select minutes from report_facts"
            " where case_id = :c and name = 'critical_value_to_puncture'"
        ),
        {"c": case_id},
    )
    assert 47.0 == minutes


async def test_the_pure_input_round_trips_the_stored_rows(
    db: AsyncSession, loaded: dict[str, int]
) -> None:
    """The stored case read back equals the fixture's input (ids aside): same stamps, same notes."""
    case_id = loaded["b_walk_in"]
    case = await db.get(Case, case_id)
    events = (
        await db.execute(
            text(
                "select id, milestone, at, facility_id, flags, supersedes from case_events"
                " where case_id = :c"
            ),
            {"c": case_id},
        )
    ).all()  # SQL rows, as the migration's backfill reads them
    stored = readmodel.case_input(case, events)
    expected = case_input(B_WALK_IN, case_id)
    assert sorted((s.at, s.milestone, s.facility_id, s.superseded) for s in expected.stamps) == [
        (s.at, s.milestone, s.facility_id, s.superseded) for s in stored.stamps
    ]
    assert sorted((e.milestone, e.flags, e.supersedes is None) for e in expected.events) == sorted(
        (e.milestone, e.flags, e.supersedes is None) for e in stored.events
    )
