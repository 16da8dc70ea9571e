"""``GET /reports/cpc-export``: one national chest-pain platform record per chest-pain case of
the period (``cpc_record``), as JSON or an Excel sheet a data manager files from.

Which cases: STEMI and undifferentiated chest pain, not drills, counted in the period by the
report's reference time (first medical contact, local month). Who: like the time-audit report
(``service.scope_for``): admins, auditors, data managers and dispatch read every facility's; a
facility's own team only the cases its facility is on (opened there, bound there or stamped
there); crews none.
"""

from __future__ import annotations

import io
from collections import defaultdict
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from openpyxl import Workbook
from sqlalchemy import exists, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from dispatch.cases.events import stamps_of
from dispatch.cases.intervals import current, legs
from dispatch.cases.models import Case, CaseEvent
from dispatch.reports.combined import CHEST_PAIN_PATHWAYS
from dispatch.reports.cpc_record import CaseFacts, cpc_record
from dispatch.reports.models import ReportCase
from dispatch.reports.queries import Scope
from units.models import Facility


async def cpc_records(db: AsyncSession, scope: Scope) -> list[dict[str, Any]]:
    """The records of the scope's chest-pain cases, in case order (two queries)."""
    chosen = (
        select(Case)
        .join(ReportCase, ReportCase.case_id == Case.id)
        .where(
            ReportCase.ref_at >= scope.start,
            ReportCase.ref_at < scope.end,
            ReportCase.drill.is_(scope.drill),
            Case.pathway.in_(
                [scope.pathway] if scope.pathway is not None else sorted(CHEST_PAIN_PATHWAYS)
            ),
        )
        .order_by(Case.id)
    )
    if scope.facility_id is not None:
        stamped_there = exists().where(
            CaseEvent.case_id == Case.id, CaseEvent.facility_id == scope.facility_id
        )
        chosen = chosen.where(
            or_(
                Case.created_facility_id == scope.facility_id,
                Case.destination_facility_id == scope.facility_id,
                stamped_there,
            )
        )
    cases = (await db.scalars(chosen)).all()
    events: dict[int, list[CaseEvent]] = defaultdict(list)
    if cases:
        rows = await db.scalars(
            select(CaseEvent)
            .where(CaseEvent.case_id.in_([c.id for c in cases]))
            .order_by(CaseEvent.case_id, CaseEvent.at, CaseEvent.id)
        )
        for event in rows:
            events[event.case_id].append(event)
    caps = {f.id: frozenset(f.capabilities) for f in (await db.scalars(select(Facility))).all()}
    records = []
    for case in cases:
        counted = current(stamps_of(events[case.id]))
        facts = CaseFacts(
            case.id, case.pathway, case.created_at, case.patient_age, case.patient_sex,
            case.status, case.closed_at,
        )  # fmt: skip
        records.append(cpc_record(facts, counted, legs(counted), caps))
    return records


def _flat(record: Mapping[str, Any], prefix: str = "") -> Iterator[tuple[str, Any]]:
    """The record as (section.field, value) pairs, in its order."""
    for key, value in record.items():
        if isinstance(value, dict):
            yield from _flat(value, f"{prefix}{key}.")
        elif isinstance(value, list):
            yield f"{prefix}{key}", ", ".join(str(v) for v in value)
        else:
            yield f"{prefix}{key}", value


def cpc_xlsx(records: Sequence[Mapping[str, Any]]) -> bytes:
    """One sheet, one row per case, one column per section.field (``missing`` last)."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None  # noqa: S101 - a new workbook has its sheet
    sheet.title = "CPC"
    columns: list[str] = []
    rows = [dict(_flat(r)) for r in records]
    for row in rows:
        columns += [c for c in row if c not in columns]
    columns = [c for c in columns if c != "missing"] + ["missing"]
    sheet.append(columns)
    for row in rows:
        sheet.append([row.get(c) for c in columns])
    sheet.freeze_panes = "B2"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
