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


def missed_interval(
    intervals: Sequence[IntervalResult], metric: str, facility_id: str | None
) -> tuple[IntervalResult, str]:
    """The case's interval ``metric`` if it missed, and the key its reason is kept under: the
    visit's facility when the case has several (per-visit intervals, DIDO; ``facility_id``
    names the visit), else ``""`` (a ``facility_id`` sent then must be the interval's own, if
    it names one: the pages send the facility they show and need not know how many there are).
    """
    found = [i for i in intervals if i.name == metric]
    if not found:
        raise InvalidDelayReason(f"{metric!r} is not an interval that applies to this case")
    several = len(found) > 1
    if several:
        found = [i for i in found if facility_id is not None and i.facility_id == facility_id]
        if len(found) != 1:
            raise InvalidDelayReason(f"{metric!r}: name the facility_id of the visit")
    elif facility_id is not None and found[0].facility_id not in (None, facility_id):
        raise InvalidDelayReason(f"{metric!r} of this case is not at {facility_id}")
    missed = found[0]
    if missed.met is not False:
        raise InvalidDelayReason(f"{metric!r} did not miss its target: no delay reason to give")
    return missed, (missed.facility_id or "") if several else ""


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
    _, key = missed_interval(intervals, metric, facility_id)
    values = {
        "case_id": case.id, "metric": metric, "facility_key": key, "code": code,
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
