"""The read model's one-statement write (issue 17, the write path): the rows it leaves are the
case's computed rows; unchanged rows are not written again; a fact the case no longer has goes."""

from __future__ import annotations

import dataclasses
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from dispatch.reports import readmodel
from dispatch.reports.facts import ReportCaseFacts
from dispatch.reports.models import ReportCase, ReportFact
from tests.integration.test_report_sql import load_fixture
from tests.unit.test_report_fixtures import E_DINGJI

_CASE_KEYS = ("pathway", "drill", "facility_id", "ref_at", "month", "missing", "out_of_order",
              "clock_skew", "corrections", "findings")  # fmt: skip
_FACT_KEYS = ("name", "leg", "facility_id", "minutes", "target_minutes", "met", "start_at",
              "end_at", "pathway", "drill", "ref_at", "month")  # fmt: skip


async def stored(db: AsyncSession, case_id: int) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The case's report_cases row and its report_facts rows as stored (facts by name, leg)."""
    case = await db.scalar(
        select(ReportCase)
        .where(ReportCase.case_id == case_id)
        .execution_options(populate_existing=True)
    )
    assert case is not None
    facts = (
        await db.scalars(
            select(ReportFact)
            .where(ReportFact.case_id == case_id)
            .order_by(ReportFact.name, ReportFact.leg)
            .execution_options(populate_existing=True)
        )
    ).all()
    case_row = {c: getattr(case, c) for c in _CASE_KEYS}
    return case_row, [{k: getattr(f, k) for k in _FACT_KEYS} for f in facts]


def expected(facts: ReportCaseFacts) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The rows ``rows_of`` computes, as ``stored`` lists them."""
    case_row, fact_rows = readmodel.rows_of(facts)
    case_row = {c: case_row[c] for c in _CASE_KEYS}
    facts_sorted = sorted(fact_rows, key=lambda r: (r["name"], r["leg"]))
    return case_row, [{k: r[k] for k in _FACT_KEYS} for r in facts_sorted]


async def test_a_refresh_writes_the_computed_rows_and_only_what_changed(db: AsyncSession) -> None:
    """After a refresh the stored rows are the computed ones; a second refresh writes no row;
    a fact dropped from the case's facts is deleted and the others stay untouched."""
    case_id = await load_fixture(db, E_DINGJI)  # refreshed once by the fixture
    facts = await readmodel.refresh_case(db, case_id)
    assert facts is not None
    assert expected(facts) == await stored(db, case_id)
    assert readmodel.Written(0, 0, 0) == await readmodel.write_rows(db, facts)
    fewer = dataclasses.replace(facts, facts=facts.facts[1:])
    assert readmodel.Written(0, 0, 1) == await readmodel.write_rows(db, fewer)
    assert expected(fewer) == await stored(db, case_id)
    corrected = dataclasses.replace(facts, corrections=facts.corrections + 1)  # the dropped
    assert readmodel.Written(1, 1, 0) == await readmodel.write_rows(db, corrected)  # fact back
    drill = dataclasses.replace(facts, drill=not facts.drill)  # on the case and every fact
    assert readmodel.Written(1, len(facts.facts), 0) == await readmodel.write_rows(db, drill)
    assert expected(drill) == await stored(db, case_id)
