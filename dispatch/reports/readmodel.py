"""Keeping the read model current: a case's rows are rewritten whenever its stamps change,
in the same transaction as the change (``on_stamp``, registered by the app as a
``dispatch.cases.hooks.CaseHooks`` listener).

The facility capabilities are read at that moment: a facility that later gains or loses a
capability changes the rows of the cases stamped after that, not before: ``rebuild``
(``infofirst report rebuild``, or ``infofirst db upgrade`` when a migration asks for it)
recomputes every case.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, NamedTuple

from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncSession

from dispatch.cases.intervals import Stamp
from dispatch.cases.models import Case, CaseEvent
from dispatch.cases.pathways import load_pathways
from dispatch.reports.facts import (
    CaseInput,
    EventNote,
    ReportCaseFacts,
    facilities_of,
    report_case_facts,
)
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
        "facilities": facilities_of(facts),
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


# The case's rows rewritten in one statement: its report_cases row upserted, its facts upserted
# from the arrays of the new ones, the facts it no longer has deleted. A row whose values did not
# change is left as it is (no new row version: no dead tuple for vacuum, no heap visit for the
# reports' index-only scans), and the new and the deleted facts never share a key.
_FACT_COLUMNS = ("name", "leg", "facility_id", "minutes", "target_minutes", "met", "start_at",
                 "end_at")  # fmt: skip
_WRITE = text(
    """
    WITH kept AS (
        INSERT INTO report_cases (case_id, pathway, drill, facility_id, ref_at, month, missing,
                                  out_of_order, clock_skew, corrections, findings,
                                  facilities)
        VALUES (CAST(:case_id AS bigint), CAST(:pathway AS text), CAST(:drill AS boolean),
                CAST(:facility_id AS text), CAST(:ref_at AS timestamptz), CAST(:month AS date),
                CAST(:missing AS integer), CAST(:out_of_order AS integer),
                CAST(:clock_skew AS integer), CAST(:corrections AS integer),
                CAST(:findings AS varchar(80)[]), CAST(:facilities AS varchar(64)[]))
        ON CONFLICT (case_id) DO UPDATE SET
            pathway = excluded.pathway, drill = excluded.drill,
            facility_id = excluded.facility_id, ref_at = excluded.ref_at,
            month = excluded.month, missing = excluded.missing,
            out_of_order = excluded.out_of_order, clock_skew = excluded.clock_skew,
            corrections = excluded.corrections, findings = excluded.findings,
            facilities = excluded.facilities
        WHERE (report_cases.pathway, report_cases.drill, report_cases.facility_id,
               report_cases.ref_at, report_cases.month, report_cases.missing,
               report_cases.out_of_order, report_cases.clock_skew, report_cases.corrections,
               report_cases.findings, report_cases.facilities)
          IS DISTINCT FROM (excluded.pathway, excluded.drill, excluded.facility_id,
               excluded.ref_at, excluded.month, excluded.missing, excluded.out_of_order,
               excluded.clock_skew, excluded.corrections, excluded.findings,
               excluded.facilities)
        RETURNING 1
    ), new AS (
        SELECT * FROM unnest(CAST(:f_name AS text[]), CAST(:f_leg AS smallint[]),
                             CAST(:f_facility_id AS text[]), CAST(:f_minutes AS float8[]),
                             CAST(:f_target_minutes AS float8[]), CAST(:f_met AS boolean[]),
                             CAST(:f_start_at AS timestamptz[]), CAST(:f_end_at AS timestamptz[]))
            AS n (name, leg, facility_id, minutes, target_minutes, met, start_at, end_at)
    ), written AS (
        INSERT INTO report_facts (case_id, pathway, drill, ref_at, month, name, leg,
                                  facility_id, minutes, target_minutes, met, start_at, end_at)
        SELECT CAST(:case_id AS bigint), CAST(:pathway AS text), CAST(:drill AS boolean),
               CAST(:ref_at AS timestamptz), CAST(:month AS date),
               n.name, n.leg, n.facility_id, n.minutes, n.target_minutes, n.met, n.start_at,
               n.end_at
        FROM new n
        ON CONFLICT (case_id, name, leg) DO UPDATE SET
            pathway = excluded.pathway, drill = excluded.drill, ref_at = excluded.ref_at,
            month = excluded.month, facility_id = excluded.facility_id,
            minutes = excluded.minutes, target_minutes = excluded.target_minutes,
            met = excluded.met, start_at = excluded.start_at, end_at = excluded.end_at
        WHERE (report_facts.pathway, report_facts.drill, report_facts.ref_at,
               report_facts.month, report_facts.facility_id, report_facts.minutes,
               report_facts.target_minutes, report_facts.met, report_facts.start_at,
               report_facts.end_at)
          IS DISTINCT FROM (excluded.pathway, excluded.drill, excluded.ref_at, excluded.month,
               excluded.facility_id, excluded.minutes, excluded.target_minutes, excluded.met,
               excluded.start_at, excluded.end_at)
        RETURNING 1
    ), gone AS (
        DELETE FROM report_facts f WHERE f.case_id = CAST(:case_id AS bigint)
          AND NOT EXISTS (SELECT 1 FROM new n WHERE n.name = f.name AND n.leg = f.leg)
        RETURNING 1
    )
    SELECT (SELECT count(*) FROM kept) AS kept, (SELECT count(*) FROM written) AS written,
           (SELECT count(*) FROM gone) AS gone
    """
)


class Written(NamedTuple):
    """Rows ``write_rows`` wrote: the case's row (0: unchanged), facts new or changed, facts
    deleted."""

    case: int
    facts: int
    deleted: int


async def write_rows(db: AsyncSession, facts: ReportCaseFacts) -> Written:
    """Write the case's read-model rows (``rows_of``) in one statement."""
    case_row, fact_rows = rows_of(facts)
    params: dict[str, Any] = dict(case_row)
    for column in _FACT_COLUMNS:
        params[f"f_{column}"] = [row[column] for row in fact_rows]
    kept, written, gone = (await db.execute(_WRITE, params)).one()
    return Written(int(kept), int(written), int(gone))


async def refresh_case(
    db: AsyncSession, case_id: int, events: Sequence[CaseEvent] | None = None
) -> ReportCaseFacts | None:
    """Rewrite the case's read-model rows from its current stamps (None: no such case).

    ``events``: the case's events as the caller already has them, all of them (a stamp's
    transaction, which holds the case's lock); else they are read."""
    case = await db.get(Case, case_id)
    if case is None:
        return None
    pathway = load_pathways().get(case.pathway)
    if pathway is None:
        return None
    if events is None:
        events = list(await db.scalars(select(CaseEvent).where(CaseEvent.case_id == case_id)))
    data = case_input(case, list(events))
    named = {s.facility_id for s in data.stamps if s.facility_id}
    caps = await units_service.capabilities(db, named)
    facts = report_case_facts(data, pathway, load_rates(), caps)
    await write_rows(db, facts)
    return facts


async def on_stamp(db: AsyncSession, event: CaseEvent, events: Sequence[CaseEvent]) -> None:
    """The ``CaseHooks`` listener the app registers: the stamped case's rows, rewritten from
    its events (the new one among them)."""
    await refresh_case(db, event.case_id, events)


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
