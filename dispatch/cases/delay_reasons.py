"""Delay reasons (issue 14; DOMAIN.md: "Every missed target asks for a delay reason from a coded
list ..., as the CPC data platform does"): record one for an interval the case missed, read
them with the case. Who may: whoever may write on the case (its parties, data managers, admins);
only for an interval of the case's pathway that applies and missed its target.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from dispatch.cases.exceptions import InvalidDelayReason
from dispatch.cases.intervals import IntervalResult
from dispatch.cases.models import Case, DelayReason

# The coded list (the CPC data platform's delay reasons, 延误原因), with their labels.
CODES: dict[str, tuple[str, str]] = {
    "patient_hesitation": ("患者或家属犹豫", "Patient or family hesitation"),
    "consent": ("知情同意延误", "Consent took long"),
    "diagnosis_unclear": ("诊断不明确", "Diagnosis unclear"),
    "cathlab_busy": ("导管室占用", "Cath lab busy"),
    "team_not_ready": ("团队未及时到位", "Team not in place in time"),
    "transport": ("转运延误", "Transport delay"),
    "ecg_transmission": ("心电传输延误", "ECG transmission delay"),
    "equipment": ("设备故障", "Equipment failure"),
    "unstable_patient": ("病情不稳定需先处理", "Patient unstable, treated first"),
    "other": ("其他", "Other"),
}
# The reports' code for a missed interval no reason was given for yet.
NONE = "none"
_NOT_GIVEN = ("未填写原因", "no reason given")


def label(code: str) -> tuple[str, str]:
    """A reason's (Chinese, English) name; ``none``: not given yet; an unknown code as it is."""
    if code == NONE:
        return _NOT_GIVEN
    return CODES.get(code, (code, code))


def coded_list() -> list[dict[str, str]]:
    """The coded list as the pages show it: ``[{code, label_zh, label_en}]``, in its order."""
    return [{"code": c, "label_zh": zh, "label_en": en} for c, (zh, en) in CODES.items()]


def _missed(
    intervals: Sequence[IntervalResult], metric: str, facility_id: str | None
) -> IntervalResult:
    """The case's interval ``metric`` (at ``facility_id`` for per-visit ones) if it missed."""
    found = [i for i in intervals if i.name == metric]
    if not found:
        raise InvalidDelayReason(f"{metric!r} is not an interval that applies to this case")
    if facility_id is not None:
        found = [i for i in found if i.facility_id == facility_id]
    if len(found) != 1:
        raise InvalidDelayReason(f"{metric!r}: name the facility_id of the visit (one of the case)")
    if found[0].met is not False:
        raise InvalidDelayReason(f"{metric!r} did not miss its target: no delay reason to give")
    return found[0]


async def record(
    db: AsyncSession,
    case: Case,
    intervals: Sequence[IntervalResult],
    metric: str,
    facility_id: str | None,
    code: str,
    note: str,
    username: str,
    now: datetime,
) -> DelayReason:
    """Set the reason of a missed interval (a second call replaces it; the audit keeps both)."""
    if code not in CODES:
        raise InvalidDelayReason(f"unknown delay reason {code!r}: use one of {', '.join(CODES)}")
    missed = _missed(intervals, metric, facility_id)
    key = missed.facility_id if facility_id is not None else ""
    values = {
        "case_id": case.id, "metric": metric, "facility_key": key or "", "code": code,
        "note": note, "recorded_by": username, "recorded_at": now,
    }  # fmt: skip
    statement = insert(DelayReason).values(values)
    upsert = statement.on_conflict_do_update(
        index_elements=["case_id", "metric", "facility_key"],
        set_={k: statement.excluded[k] for k in ("code", "note", "recorded_by", "recorded_at")},
    )
    row_id = await db.scalar(upsert.returning(DelayReason.id))
    row = await db.get(DelayReason, row_id, populate_existing=True)
    assert row is not None  # noqa: S101 - just written in this transaction
    return row


async def of_case(db: AsyncSession, case_id: int) -> dict[tuple[str, str], DelayReason]:
    """The case's reasons by (metric, facility key)."""
    rows = await db.scalars(select(DelayReason).where(DelayReason.case_id == case_id))
    return {(r.metric, r.facility_key): r for r in rows}
