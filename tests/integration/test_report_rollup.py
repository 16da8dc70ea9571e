"""The monthly rollup (dispatch/reports/rollup.py) against the facts it counts, on random data.

Random cases (the hand-computed fixtures, shifted to random days of February to May and their
stamps jittered by random seconds), then random changes the way production makes them: a
stamp corrected, a whole case moved to another month by corrections, a case removed. After
each round the rollup must equal the one recomputed from report_facts, and the report's
figures read from the rollup must equal those read from the facts (every metric, in total, by
month, by facility, and the combined metrics).
"""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import datetime, timedelta

import pytest
from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncSession

from dispatch.cases.maintenance import remove_cases
from dispatch.cases.models import Case, CaseEvent, DelayReason
from dispatch.reports import delays, queries, readmodel
from dispatch.reports.combined import COMBINED
from dispatch.reports.queries import REASON_OF_FACT, GroupRow, Scope
from dispatch.reports.rollup import fold_pending, whole_months
from tests.integration.test_report_sql import load_fixture
from tests.unit.test_report_fixtures import FIXTURES, FixtureCase, local

ZONE = "Asia/Shanghai"
ROLLUP_COLUMNS = "drill, pathway, name, month, facility_id, minutes, rows, judged, met"
REBUILT = (
    "SELECT drill, pathway, name, month, coalesce(facility_id, ''), minutes, count(*),"
    " count(met), count(*) FILTER (WHERE met) FROM report_facts GROUP BY 1, 2, 3, 4, 5, 6"
)


def jittered(case: FixtureCase, rng: random.Random, index: int) -> FixtureCase:
    """The fixture on a random day of February to May, each stamp moved by random seconds."""
    shift = timedelta(days=rng.randint(-25, 75), seconds=rng.randint(0, 86_399))
    rows = tuple(
        replace(row, at=row.at + shift + timedelta(seconds=rng.randint(-90, 90)))
        for row in case.rows
    )
    return replace(case, key=f"{case.key}_{index}", rows=rows)


async def correct(db: AsyncSession, case_id: int, rng: random.Random, days: int = 0) -> None:
    """Correct a random live stamp (``days``: every live stamp, moved by that many days)."""
    events = list(await db.scalars(select(CaseEvent).where(CaseEvent.case_id == case_id)))
    replaced = {e.supersedes for e in events}
    live = [e for e in events if e.id not in replaced]
    chosen = live if days else [rng.choice(live)]
    for event in chosen:
        moved = timedelta(days=days, seconds=0 if days else rng.randint(-600, 600))
        corrected = CaseEvent(
            case_id=case_id, milestone=event.milestone, at=event.at + moved,
            recorded_by="test", source="user", facility_id=event.facility_id, note="",
            reason="correction", flags=[], supersedes=event.id,
        )  # fmt: skip
        db.add(corrected)
    await db.flush()
    await readmodel.refresh_case(db, case_id)


async def rollup_mismatches(db: AsyncSession) -> list[object]:
    """Rollup rows (non-empty) that differ from the rollup recomputed from the facts."""
    await fold_pending(db)  # this transaction's writes, folded as its commit would
    kept = f"SELECT {ROLLUP_COLUMNS} FROM report_rollup WHERE rows <> 0"  # noqa: S608 - fixed
    rows = await db.execute(text(f"({kept} EXCEPT {REBUILT}) UNION ALL ({REBUILT} EXCEPT {kept})"))
    return list(rows)


def differences(exact: list[GroupRow], rolled: list[GroupRow]) -> list[str]:
    """The groups whose figures differ (sums to 1e-6: the rollup adds them in another order)."""
    a, b = (
        {(r.group, r.pathway, r.name, r.month, r.facility_id): r for r in rows}
        for rows in (exact, rolled)
    )
    found = [f"only one side: {k}" for k in set(a) ^ set(b)]
    for key in set(a) & set(b):
        x, y = a[key], b[key]
        if abs(x.total - y.total) > 1e-6 or replace(x, total=0.0) != replace(y, total=0.0):
            found.append(f"{key}: facts {x} rollup {y}")
    return found


@pytest.mark.timeout(400)  # each report query takes seconds to plan on a loaded machine
@pytest.mark.parametrize("seed", [1, 2, 3])
async def test_the_rollup_and_the_facts_agree_on_random_changes(
    db: AsyncSession, seed: int
) -> None:
    """Random cases, corrections, moves and removals: rollup = facts, report figures equal."""
    rng = random.Random(seed)
    ids = [await load_fixture(db, jittered(rng.choice(FIXTURES), rng, i)) for i in range(24)]
    whole = Scope(local(2, 1, 0, 0), local(6, 1, 0, 0), ZONE)
    for _ in range(2):
        for case_id in rng.sample(ids, 4):
            await correct(db, case_id, rng)
        await correct(db, rng.choice(ids), rng, days=rng.choice((-31, 31, 45)))
        gone = ids.pop(rng.randrange(len(ids)))
        await remove_cases(db, select(Case.id).where(Case.id == gone))
        assert [] == await rollup_mismatches(db)
        rolled = await queries.figures(db, whole, COMBINED)
        assert rolled
        assert [] == differences(await queries.figures(db, whole, COMBINED, exact=True), rolled)
    for scope in (replace(whole, drill=True), Scope(local(3, 1, 0, 0), local(4, 1, 0, 0), ZONE)):
        rolled = await queries.figures(db, scope, COMBINED)
        assert [] == differences(await queries.figures(db, scope, COMBINED, exact=True), rolled)


@pytest.mark.timeout(300)
async def test_a_narrowed_scope_reads_the_same_from_the_rollup(db: AsyncSession) -> None:
    """A facility's and a pathway's whole-month report: the rollup's figures are the facts'."""
    rng = random.Random(9)
    for i, case in enumerate(FIXTURES * 3):
        await load_fixture(db, jittered(case, rng, i))
    facilities = await db.scalars(
        text("SELECT DISTINCT facility_id FROM report_facts WHERE facility_id IS NOT NULL")
    )
    start, end = local(2, 1, 0, 0), local(6, 1, 0, 0)
    scopes = [Scope(start, end, ZONE, facility_id=f) for f in sorted(facilities)[:2]]
    scopes.append(Scope(start, end, ZONE, pathway="stemi"))
    assert len(scopes) > 2
    for scope in scopes:
        rolled = await queries.figures(db, scope)
        assert [] == differences(await queries.figures(db, scope, exact=True), rolled)


def test_only_whole_local_months_read_the_rollup() -> None:
    """Whole months of the read model's zone qualify; a day, or another zone, does not."""
    start, end = local(3, 1, 0, 0), local(5, 1, 0, 0)
    assert whole_months(start, end, ZONE) is not None
    assert whole_months(start + timedelta(days=1), end, ZONE) is None
    assert whole_months(start, end, "UTC") is None
    assert whole_months(end, start, ZONE) is None
    assert whole_months(datetime.fromisoformat("2025-03-01T00:00:00+00:00"), end, ZONE) is None


# The delay counts as they were computed before the rollup: every missed fact read.
DELAYS_BY_FACT = (
    "SELECT f.pathway, f.name, coalesce(d.code, 'none') AS code, count(*) AS n"
    " FROM report_facts f {reason}"
    " WHERE f.ref_at >= :start AND f.ref_at < :end AND f.drill = false"
    " AND f.met IS FALSE AND f.minutes IS NOT NULL GROUP BY 1, 2, 3 ORDER BY 1, 2, n DESC, 3"
)


@pytest.mark.timeout(300)
async def test_delay_counts_through_the_reasons_equal_those_of_every_fact(
    db: AsyncSession,
) -> None:
    """Reasons given to some missed facts (per visit and per case): the counts by reason, read
    through the reasons and the rollup, equal those counted over every missed fact."""
    rng = random.Random(5)
    for i, case in enumerate(FIXTURES * 3):
        await load_fixture(db, jittered(case, rng, i))
    missed = (
        await db.execute(
            text(
                "SELECT case_id, name, coalesce(facility_id, '') FROM report_facts"
                " WHERE met IS FALSE AND minutes IS NOT NULL ORDER BY 1, 2, 3"
            )
        )
    ).all()
    assert len(missed) > 4
    for case_id, metric, facility in rng.sample(missed, len(missed) // 2):
        key = rng.choice(("", facility))
        reason = DelayReason(
            case_id=case_id, metric=metric, facility_key=key, recorded_by="test",
            code=rng.choice(("traffic", "consent", "equipment")), note="",
            recorded_at=local(6, 1, 0, 0),
        )  # fmt: skip
        db.add(reason)
        await db.flush()
    for start, end in (
        (local(2, 1, 0, 0), local(6, 1, 0, 0)),
        (local(2, 3, 0, 0), local(6, 1, 0, 0)),
    ):
        expected = await db.execute(
            text(DELAYS_BY_FACT.format(reason=REASON_OF_FACT)), {"start": start, "end": end}
        )
        found = await delays.delay_counts(db, Scope(start, end, ZONE))
        assert [tuple(r) for r in expected] == [tuple(r) for r in found]
