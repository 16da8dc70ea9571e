"""The rollups of migration 0034 against what they count, on random data: the quality rollup
(report_quality) against report_cases, the bins (report_rollup_bins) against report_facts.

Random cases (the hand-computed fixtures on random days of February to May), then random stamp
corrections, corrections that move a stamp to another facility, whole cases moved to another
month, cases removed. After each round: report_cases.facilities is each case's own facility and
its facts', both rollups equal those recomputed, and the data-quality counts read from the
rollup equal those counted over the cases, for the whole scope, a month, each pathway, each
facility and the drills. (The figures read through the bins equal those of the facts:
tests/integration/test_report_rollup.py.)
"""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import timedelta

import pytest
from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncSession

from dispatch.cases.maintenance import remove_cases
from dispatch.cases.models import Case, CaseEvent
from dispatch.reports import queries, readmodel
from dispatch.reports.queries import Scope
from dispatch.reports.rollup import fold_pending
from tests.integration.test_report_rollup import correct, jittered
from tests.integration.test_report_sql import load_fixture
from tests.unit.test_report_fixtures import FIXTURES, local

ZONE = "Asia/Shanghai"
COLUMNS = (
    "drill, pathway, month, facility_id, cases, missing, out_of_order, clock_skew, corrections,"
    " with_findings"
)
REBUILT = (
    "SELECT c.drill, c.pathway, c.month, k.facility_id, count(*), sum(c.missing),"
    " sum(c.out_of_order), sum(c.clock_skew), sum(c.corrections), count(*) FILTER"
    " (WHERE c.missing + c.out_of_order + c.clock_skew + c.corrections > 0)"
    " FROM report_cases c CROSS JOIN LATERAL"
    " unnest(ARRAY['*']::varchar(64)[] || c.facilities) AS k (facility_id) GROUP BY 1, 2, 3, 4"
)
# A case's facilities recomputed from its row and its facts.
FACILITIES_DIFFER = (
    "SELECT c.case_id FROM report_cases c WHERE c.facilities IS DISTINCT FROM ARRAY("
    " SELECT DISTINCT x FROM (SELECT c.facility_id UNION ALL SELECT f.facility_id"
    " FROM report_facts f WHERE f.case_id = c.case_id) u (x) WHERE x IS NOT NULL ORDER BY x"
    ")::varchar(64)[]"
)


async def rollup_mismatches(db: AsyncSession) -> list[object]:
    """Quality rollup rows (non-empty) that differ from the rollup recomputed from the cases."""
    await fold_pending(db)  # this transaction's writes, folded as its commit would
    kept = f"SELECT {COLUMNS} FROM report_quality WHERE cases <> 0"  # noqa: S608 - fixed
    rows = await db.execute(text(f"({kept} EXCEPT {REBUILT}) UNION ALL ({REBUILT} EXCEPT {kept})"))
    return list(rows)


# report_rollup_bins recomputed from the facts, beside the kept one: the keys and counts must
# match exactly, the sums to rounding (added in another order).
BINS_DIFFER = """
WITH rebuilt AS (
  SELECT drill, pathway, name, month, coalesce(facility_id, '') AS facility_id,
         CASE WHEN minutes >= 0 THEN floor(minutes)::bigint WHEN minutes < 0 THEN -1 END AS bin,
         count(*) AS rows, sum(coalesce(minutes, 0)) AS total, count(met) AS judged,
         count(*) FILTER (WHERE met) AS met
  FROM report_facts GROUP BY 1, 2, 3, 4, 5, 6
), kept AS (SELECT * FROM report_rollup_bins WHERE rows <> 0)
SELECT * FROM rebuilt r FULL JOIN kept k
  ON (r.drill, r.pathway, r.name, r.month, r.facility_id) =
     (k.drill, k.pathway, k.name, k.month, k.facility_id) AND r.bin IS NOT DISTINCT FROM k.bin
WHERE (r.rows, r.judged, r.met) IS DISTINCT FROM (k.rows, k.judged, k.met)
   OR abs(r.total - k.total) > 1e-6 * greatest(1, abs(r.total))
"""


async def elsewhere(db: AsyncSession, case_id: int, rng: random.Random) -> None:
    """Correct a random live stamp that names a facility to another facility (same time)."""
    events = list(await db.scalars(select(CaseEvent).where(CaseEvent.case_id == case_id)))
    replaced = {e.supersedes for e in events}
    named = [e for e in events if e.id not in replaced and e.facility_id is not None]
    if not named:
        return
    event = rng.choice(named)
    others = sorted(
        await db.scalars(text("SELECT id FROM facilities WHERE id <> :f"), {"f": event.facility_id})
    )
    db.add(
        CaseEvent(
            case_id=case_id, milestone=event.milestone, at=event.at, recorded_by="test",
            source="user", facility_id=rng.choice(others), note="", reason="correction",
            flags=[], supersedes=event.id,
        )
    )  # fmt: skip
    await db.flush()
    await readmodel.refresh_case(db, case_id)


async def scopes(db: AsyncSession) -> list[Scope]:
    """Whole-month scopes: all, one month, each pathway, each facility named, the drills."""
    whole = Scope(local(2, 1, 0, 0), local(6, 1, 0, 0), ZONE)
    named = await db.scalars(text("SELECT DISTINCT unnest(facilities) FROM report_cases"))
    pathways = await db.scalars(text("SELECT DISTINCT pathway FROM report_cases"))
    return [
        whole,
        replace(whole, drill=True),
        Scope(local(3, 1, 0, 0), local(4, 1, 0, 0), ZONE),
        *(replace(whole, pathway=p) for p in sorted(pathways)),
        *(replace(whole, facility_id=f) for f in sorted(named)),
    ]


@pytest.mark.timeout(300)
@pytest.mark.parametrize("seed", [1, 2])
async def test_the_quality_rollup_and_the_cases_agree_on_random_changes(
    db: AsyncSession, seed: int
) -> None:
    """Random cases, corrections (in time and of facility), moves, removals: the rollup is
    the cases', and every scope's quality counts are the same read either way."""
    rng = random.Random(seed)
    ids = [await load_fixture(db, jittered(rng.choice(FIXTURES), rng, i)) for i in range(24)]
    for _ in range(2):
        for case_id in rng.sample(ids, 3):
            await correct(db, case_id, rng)
        for case_id in rng.sample(ids, 3):
            await elsewhere(db, case_id, rng)
        await correct(db, rng.choice(ids), rng, days=rng.choice((-31, 31, 45)))
        gone = ids.pop(rng.randrange(len(ids)))
        await remove_cases(db, select(Case.id).where(Case.id == gone))
        assert [] == list(await db.execute(text(FACILITIES_DIFFER)))
        assert [] == await rollup_mismatches(db)
        assert [] == list(await db.execute(text(BINS_DIFFER)))
        checked = await scopes(db)
        assert len(checked) > 5
        for scope in checked:
            exact = await queries.quality(db, scope, exact=True)
            assert exact == await queries.quality(db, scope), scope
        assert (await queries.quality(db, checked[0]))["cases"] > 0


async def test_a_period_of_days_counts_the_cases_themselves(db: AsyncSession) -> None:
    """A period that is not whole months is counted over report_cases (the rollup's months
    cannot split it): a case just inside the period counts, one just outside does not."""
    case = FIXTURES[0]
    case_id = await load_fixture(db, case)
    at = (await db.execute(text("SELECT ref_at FROM report_cases WHERE case_id = :c"),
                           {"c": case_id})).scalar_one()  # fmt: skip
    second = timedelta(seconds=1)
    for start, end, expected in (
        (at, at + second, 1),  # at the bound: counted
        (at - second, at, 0),  # just before: not
        (at + second, at + 2 * second, 0),  # just after: not
    ):
        counted = await queries.quality(db, Scope(start, end, ZONE, drill=case.drill))
        assert counted["cases"] == expected
