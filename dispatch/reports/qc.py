"""The quality-control view of one unit (质控, issue 16): per month, each of the unit's metrics
for its real cases and its drill cases side by side (n, median, share met) against the targets,
the unit's drills with their scores, and the missed intervals with their delay reasons.

What the county brings to its township visits. The figures are the time-audit report's
(``service.build_report``, once for the real cases and once for the drills, scoped to the unit);
nothing here computes an interval again.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from dispatch.cases import delay_reasons
from dispatch.drills.models import Drill
from dispatch.reports import service
from dispatch.reports.catalogue import MetricDef, catalogue
from dispatch.reports.document import target_text
from dispatch.reports.exceptions import EmptyPeriod
from dispatch.reports.metrics import Figures
from dispatch.reports.queries import Scope
from dispatch.reports.service import Report
from units.exceptions import NotFound
from units.models import Facility, User


@dataclass(frozen=True)
class Side:
    """One metric's figures in one month for real or for drill cases."""

    n: int
    median: float | None
    compliance: float | None
    judged: int

    @classmethod
    def of(cls, figures: Figures | None) -> Side | None:
        if figures is None:
            return None
        return cls(figures.n, figures.median, figures.compliance, figures.judged)


@dataclass(frozen=True)
class MonthRow:
    month: date
    real: Side | None
    drill: Side | None


@dataclass(frozen=True)
class MetricRows:
    metric: MetricDef
    months: list[MonthRow]


@dataclass(frozen=True)
class Missed:
    """A missed interval at the unit, with its delay reason (None: not given yet)."""

    case_id: int
    drill: bool
    ref_at: datetime
    pathway: str
    metric: str
    minutes: float | None
    target_minutes: float | None
    code: str | None
    note: str


@dataclass
class UnitQc:
    facility_id: str
    name_zh: str
    name_en: str
    start: datetime
    end: datetime
    time_zone: str
    generated_at: datetime
    metrics: list[MetricRows] = field(default_factory=list)
    drills: list[Drill] = field(default_factory=list)
    missed: list[Missed] = field(default_factory=list)


async def _report(
    db: AsyncSession, scope: Scope, ack_seconds: float, now: datetime
) -> Report | None:
    try:
        return await service.build_report(db, scope, ack_seconds, now, cases="outside")
    except EmptyPeriod:
        return None


def _missed(report: Report | None, drill: bool, facility_id: str) -> list[Missed]:
    found = []
    for case in (report.cases or []) if report is not None else []:
        for fact in case.facts:
            if fact.met is False and fact.facility_id == facility_id:
                found.append(
                    Missed(
                        case.case_id, drill, case.ref_at, case.pathway, fact.name, fact.minutes,
                        fact.target_minutes, fact.delay_code, fact.delay_note,
                    )
                )  # fmt: skip
    return found


def side_by_side(real: Report | None, drill: Report | None) -> list[MetricRows]:
    """Each metric either report has, in the catalogue's order, month by month."""
    groups = {
        kind: {m.metric.key: m.groups for m in report.metrics} if report is not None else {}
        for kind, report in (("real", real), ("drill", drill))
    }
    rows = []
    for metric in catalogue():
        mine = groups["real"].get(metric.key), groups["drill"].get(metric.key)
        if mine == (None, None):
            continue
        months = sorted({month for g in mine if g is not None for month in g.by_month})
        rows.append(
            MetricRows(
                metric,
                [
                    MonthRow(
                        month,
                        Side.of(mine[0].by_month.get(month)) if mine[0] else None,
                        Side.of(mine[1].by_month.get(month)) if mine[1] else None,
                    )
                    for month in months
                ],
            )
        )
    return rows


async def unit_qc(
    db: AsyncSession,
    user: User,
    facility_id: str,
    start: datetime,
    end: datetime,
    time_zone: str,
    ack_seconds: float,
    now: datetime,
) -> UnitQc:
    """The unit's QC view for the period; county roles and auditors any unit, a unit its own."""
    unit = await db.get(Facility, facility_id)
    if unit is None:
        raise NotFound("facility", facility_id)
    reports = []
    for drill in (False, True):
        scope = await service.scope_for(db, user, start, end, time_zone, None, facility_id, drill)
        reports.append(await _report(db, scope, ack_seconds, now))
    drills = (
        await db.scalars(
            select(Drill)
            .where(
                Drill.facility_id == facility_id,
                Drill.scheduled_at >= start,
                Drill.scheduled_at < end,
            )
            .order_by(Drill.scheduled_at, Drill.id)
        )
    ).all()
    return UnitQc(
        facility_id=unit.id,
        name_zh=unit.name_zh,
        name_en=unit.name_en or unit.id,
        start=start,
        end=end,
        time_zone=time_zone,
        generated_at=now,
        metrics=side_by_side(reports[0], reports[1]),
        drills=list(drills),
        missed=_missed(reports[0], False, facility_id) + _missed(reports[1], True, facility_id),
    )


def _side_json(side: Side | None) -> dict[str, Any] | None:
    if side is None:
        return None
    return {
        "n": side.n,
        "median": None if side.median is None else round(side.median, 2),
        "compliance": None if side.compliance is None else round(side.compliance, 4),
        "judged": side.judged,
    }


def drill_score(drill: Drill) -> tuple[int, int] | None:
    """(met, judged) of an ended drill's score."""
    if drill.score is None:
        return None
    return int(drill.score.get("met", 0)), int(drill.score.get("judged", 0))


def qc_json(qc: UnitQc) -> dict[str, Any]:
    """The QC view as JSON."""
    return {
        "facility": {"id": qc.facility_id, "name_zh": qc.name_zh, "name_en": qc.name_en},
        "from": qc.start.isoformat(),
        "to": qc.end.isoformat(),
        "time_zone": qc.time_zone,
        "generated_at": qc.generated_at.isoformat(),
        "metrics": [
            {
                "pathway": rows.metric.pathway,
                "name": rows.metric.name,
                "label_zh": rows.metric.label_zh,
                "label_en": rows.metric.label_en,
                "kind": rows.metric.kind,
                "target_minutes": rows.metric.target_minutes,
                "met_if": rows.metric.met_if,
                "target_zh": target_text(rows.metric, "zh"),
                "target_en": target_text(rows.metric, "en"),
                "months": [
                    {
                        "month": f"{row.month:%Y-%m}",
                        "real": _side_json(row.real),
                        "drill": _side_json(row.drill),
                    }
                    for row in rows.months
                ],
            }
            for rows in qc.metrics
        ],
        "drills": [
            {
                "id": d.id,
                "pathway": d.pathway,
                "scheduled_at": d.scheduled_at.isoformat(),
                "unannounced": d.unannounced,
                "status": d.status,
                "case_id": d.case_id,
                "started_at": d.started_at.isoformat() if d.started_at else None,
                "ended_at": d.ended_at.isoformat() if d.ended_at else None,
                "score": d.score,
            }
            for d in qc.drills
        ],
        "missed": [
            {
                "case_id": m.case_id,
                "drill": m.drill,
                "ref_at": m.ref_at.isoformat(),
                "pathway": m.pathway,
                "metric": m.metric,
                "minutes": None if m.minutes is None else round(m.minutes, 2),
                "target_minutes": m.target_minutes,
                "reason": m.code or delay_reasons.NONE,
                "reason_zh": delay_reasons.label(m.code or delay_reasons.NONE)[0],
                "reason_en": delay_reasons.label(m.code or delay_reasons.NONE)[1],
                "note": m.note,
            }
            for m in qc.missed
        ],
    }
