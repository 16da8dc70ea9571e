"""Keeping the read model current: a case's rows are rewritten whenever its stamps change,
in the same transaction as the change (``on_stamp``, registered by the app as a
``dispatch.cases.hooks.CaseHooks`` listener).

The facility capabilities are read at that moment: a facility that later gains or loses a
capability changes the rows of the cases stamped after that, not before: ``rebuild``
(``infofirst report rebuild``, or ``infofirst db upgrade`` when a migration asks for it)
recomputes every case.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from dispatch.cases.intervals import Stamp
from dispatch.cases.models import Case, CaseEvent
from dispatch.cases.pathways import load_pathways
from dispatch.reports.facts import CaseInput, EventNote, ReportCaseFacts, report_case_facts
from dispatch.reports.models import ReportCase, ReportFact
from dispatch.reports.rates import load_rates
from units import service as units_service


def case_input(case: Any, events: list[Any]) -> CaseInput:
    """The pure input from a case row and its event rows (ORM objects or SQL rows alike)."""
    replaced = {e.supersedes for e in events if e.supersedes is not None}
    ordered = sorted(events, key=lambda e: (e.at, e.id))
    return CaseInput(
        case_id=case.id,
        pathway=case.pathway,
        drill=case.drill,
        created_at=case.created_at,
        created_facility_id=case.created_facility_id,
        events=tuple(
            EventNote(e.id, e.milestone, tuple(e.flags or ()), e.supersedes) for e in ordered
        ),
        stamps=tuple(
            Stamp(e.id, e.milestone, e.at, e.facility_id, superseded=e.id in replaced)
            for e in ordered
        ),
    )


def rows_of(facts: ReportCaseFacts) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The case's read-model rows: its report_cases row and its report_facts rows."""
    case_row = {
        "case_id": facts.case_id,
        "pathway": facts.pathway,
        "drill": facts.drill,
        "facility_id": facts.facility_id,
        "ref_at": facts.ref_at,
        "month": facts.month,
        "missing": facts.missing,
        "out_of_order": facts.out_of_order,
        "clock_skew": facts.clock_skew,
        "corrections": facts.corrections,
        "findings": list(facts.findings),
    }
    fact_rows = [
        {
            "case_id": facts.case_id,
            "name": f.name,
            "leg": f.leg,
            "pathway": facts.pathway,
            "drill": facts.drill,
            "facility_id": f.facility_id,
            "ref_at": facts.ref_at,
            "month": facts.month,
            "minutes": f.minutes,
            "target_minutes": f.target_minutes,
            "met": f.met,
            "start_at": f.start_at,
            "end_at": f.end_at,
        }
        for f in facts.facts
    ]
    return case_row, fact_rows


async def refresh_case(db: AsyncSession, case_id: int) -> ReportCaseFacts | None:
    """Rewrite the case's read-model rows from its current stamps (None: no such case)."""
    case = await db.get(Case, case_id)
    if case is None:
        return None
    pathway = load_pathways().get(case.pathway)
    if pathway is None:
        return None
    events = list(await db.scalars(select(CaseEvent).where(CaseEvent.case_id == case_id)))
    data = case_input(case, events)
    named = {s.facility_id for s in data.stamps if s.facility_id}
    caps = await units_service.capabilities(db, named)
    facts = report_case_facts(data, pathway, load_rates(), caps)
    case_row, fact_rows = rows_of(facts)
    await db.execute(delete(ReportFact).where(ReportFact.case_id == case_id))
    upsert = insert(ReportCase).values(case_row)
    await db.execute(
        upsert.on_conflict_do_update(
            index_elements=["case_id"],
            set_={k: upsert.excluded[k] for k in case_row if k != "case_id"},
        )
    )
    if fact_rows:
        await db.execute(insert(ReportFact), fact_rows)
    return facts


async def on_stamp(db: AsyncSession, event: CaseEvent) -> None:
    """The ``CaseHooks`` listener the app registers: the stamped case's rows, rewritten."""
    await refresh_case(db, event.case_id)


Progress = Callable[[int, int], None]  # (cases done, cases in all)


async def rebuild(db: AsyncSession, progress: Progress | None = None) -> int:
    """Recompute every case's rows (after a capability or pathway change, or a migration that
    asks for it), by the same code a stamp runs; returns the case count."""
    ids = list(await db.scalars(select(Case.id).order_by(Case.id)))
    for done, case_id in enumerate(ids, start=1):
        await refresh_case(db, case_id)
        if progress is not None:
            progress(done, len(ids))
    return len(ids)
