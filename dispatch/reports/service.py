"""Use cases of the time-audit report: who may see what, the period, and the figures from SQL."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, Literal
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from dispatch.cases.pathways import load_pathways
from dispatch.reports import delays, queries
from dispatch.reports.catalogue import ACK_METRIC, MetricDef, by_key, catalogue
from dispatch.reports.combined import combined_for
from dispatch.reports.exceptions import EmptyPeriod, InvalidReport
from dispatch.reports.metrics import Figures, Groups, MetricKey
from dispatch.reports.queries import BY_FACILITY, BY_MONTH, GroupRow, Scope
from units.exceptions import Forbidden, NotFound
from units.models import Facility, User
from units.vocabulary import FACILITY_ROLES, READ_EVERYTHING_ROLES

CasesMode = Literal["all", "outside", "none"]
WORST = 10


@dataclass(frozen=True)
class Worst:
    case_id: int
    minutes: float
    target_minutes: float | None
    facility_id: str | None
    ref_at: datetime
    start_at: datetime | None
    end_at: datetime | None


@dataclass
class MetricReport:
    metric: MetricDef
    groups: Groups
    worst: list[Worst] = field(default_factory=list)


@dataclass(frozen=True)
class CaseFact:
    name: str
    leg: int
    facility_id: str | None
    minutes: float | None
    target_minutes: float | None
    met: bool | None
    delay_code: str | None = None  # a missed fact's delay reason, if given (issue 14)
    delay_note: str = ""


@dataclass
class CaseRow:
    case_id: int
    pathway: str
    facility_id: str | None
    ref_at: datetime
    findings: list[str]
    facts: list[CaseFact] = field(default_factory=list)


@dataclass
class Report:
    scope: Scope
    generated_at: datetime
    quality: dict[str, int]
    metrics: list[MetricReport]
    facilities: dict[str, tuple[str, str]]
    cases: list[CaseRow] | None = None
    # Missed intervals by delay reason: (pathway, metric, code, count); code "none": not given
    delays: list[tuple[str, str, str, int]] = field(default_factory=list)

    @property
    def case_count(self) -> int:
        return self.quality["cases"]


def parse_bound(value: str, zone: ZoneInfo, end: bool) -> datetime:
    """A period bound: a date is a whole local day (``to`` includes it), a datetime is exact
    (``to`` excludes it); a datetime without an offset is local time."""
    text = value.strip()
    try:
        if len(text) == 10:
            day = date.fromisoformat(text)
            return datetime.combine(day + timedelta(days=1 if end else 0), time(), zone)
        moment = datetime.fromisoformat(text)
    except ValueError as exc:
        raise InvalidReport(
            f"{'to' if end else 'from'}={value!r} is not a date (YYYY-MM-DD) or a datetime"
        ) from exc
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=zone)


# The years a report may cover, and its longest period by default (5 years and 2 leap days;
# ``report_max_period_days`` in the settings): a period outside them is a 422, never a 500.
FIRST_YEAR = 2000
LAST_YEAR = 2099
MAX_PERIOD_DAYS = 1827


def period(
    start: str, end: str, time_zone: str, max_days: int = MAX_PERIOD_DAYS
) -> tuple[datetime, datetime]:
    """The half-open period [from, to) the request names; from must come before to, both
    within the years FIRST_YEAR .. LAST_YEAR, and the period at most ``max_days`` long."""
    zone = ZoneInfo(time_zone)
    try:
        first, last = parse_bound(start, zone, end=False), parse_bound(end, zone, end=True)
    except OverflowError as exc:  # to=9999-12-31: the day after does not exist
        raise InvalidReport(f"the period must lie within {FIRST_YEAR}..{LAST_YEAR}") from exc
    # wall-clock times compared as they are written (no offset arithmetic that could overflow)
    earliest, latest = (
        datetime(FIRST_YEAR, 1, 1, tzinfo=UTC),
        datetime(LAST_YEAR + 1, 1, 1, tzinfo=UTC),
    )
    if not earliest <= first.replace(tzinfo=UTC) < latest >= last.replace(tzinfo=UTC):
        raise InvalidReport(
            f"the period ({start} .. {end}) must lie within {FIRST_YEAR}..{LAST_YEAR}"
        )
    if first >= last:
        raise InvalidReport(f"from ({start}) is after to ({end}): swap them")
    if last - first > timedelta(days=max_days):
        raise InvalidReport(
            f"the period ({start} .. {end}) is longer than {max_days} days: ask for less"
        )
    return first, last


async def scope_for(
    db: AsyncSession,
    user: User | None,
    start: datetime,
    end: datetime,
    time_zone: str,
    pathway: str | None,
    facility_id: str | None,
    drill: bool,
) -> Scope:
    """The report's scope for this user (None: the command line, which sees everything).

    Admins, auditors and dispatchers read every facility's report; township and cath-lab
    users only their own facility's; crews none.
    """
    if pathway is not None and pathway not in load_pathways():
        known = ", ".join(load_pathways())
        raise InvalidReport(f"unknown pathway {pathway!r}: use one of {known}")
    if facility_id is not None and await db.get(Facility, facility_id) is None:
        raise NotFound("facility", facility_id)
    if user is not None and user.role not in READ_EVERYTHING_ROLES:
        if user.role not in FACILITY_ROLES or user.facility_id is None:
            raise Forbidden(f"the {user.role} role has no time-audit reports")
        if facility_id not in (None, user.facility_id):
            raise Forbidden(f"a {user.role} user reads only the report of {user.facility_id}")
        facility_id = user.facility_id
    return Scope(start, end, time_zone, drill, pathway, facility_id)


def interpolate(ranked: dict[int, float], n: int, fraction: float) -> float:
    """percentile_cont from the values at the two ranks around ``fraction`` of n."""
    position = fraction * (n - 1)
    low, high = math.floor(position), math.ceil(position)
    return ranked[low] + (position - low) * (ranked[high] - ranked[low])


def to_figures(row: GroupRow, rate: bool) -> Figures:
    """A group's figures from its SQL row."""
    if rate:
        return Figures(row.judged, None, None, None, row.judged, row.met)
    n = row.measured
    if n == 0:
        return Figures(0, None, None, None, row.judged, row.met, row.missing, row.negative)
    return Figures(
        n=n,
        mean=row.total / n,
        median=interpolate(row.ranked, n, 0.5),
        p90=interpolate(row.ranked, n, 0.9),
        judged=row.judged,
        met=row.met,
        missing=row.missing,
        negative=row.negative,
    )


def fold(rows: Sequence[GroupRow], kinds: dict[MetricKey, bool]) -> dict[MetricKey, Groups]:
    """Group rows into each metric's whole-period, monthly and per-facility figures."""
    found: dict[MetricKey, Groups] = {}
    empty = Figures(0, None, None, None, 0, 0)
    for row in rows:
        key = (row.pathway, row.name)
        groups = found.setdefault(key, Groups(total=empty))
        figures = to_figures(row, kinds.get(key, False))
        if row.group == BY_MONTH and row.month is not None:
            groups.by_month[row.month] = figures
        elif row.group == BY_FACILITY:
            groups.by_facility[row.facility_id] = figures
        else:
            groups.total = figures
    return found


def ack_groups(rows: Sequence[Any]) -> dict[MetricKey, Groups]:
    """The alert-answer rate's groups from its SQL rows."""
    found: dict[MetricKey, Groups] = {}
    for row in rows:
        figures = Figures(row.judged, None, None, None, row.judged, row.met)
        groups = found.setdefault((row.pathway, ACK_METRIC), Groups(total=figures))
        if row.g == 1:
            groups.by_month[row.month] = figures
        elif row.g == 2:
            groups.by_facility[row.facility] = figures
        else:
            groups.total = figures
    return found


def fold_cases(rows: Sequence[Any]) -> list[CaseRow]:
    """Case × fact rows (in case order) as one row per case."""
    cases: list[CaseRow] = []
    for row in rows:
        if not cases or cases[-1].case_id != row.case_id:
            cases.append(
                CaseRow(row.case_id, row.pathway, row.case_facility, row.ref_at, row.findings)
            )
        if row.name is not None:
            cases[-1].facts.append(
                CaseFact(
                    name=row.name,
                    leg=row.leg,
                    facility_id=row.facility_id,
                    minutes=row.minutes,
                    target_minutes=row.target_minutes,
                    met=row.met,
                    delay_code=row.delay_code,
                    delay_note=row.delay_note or "",
                )
            )
    return cases


async def facility_names(db: AsyncSession) -> dict[str, tuple[str, str]]:
    """Every facility's Chinese and English name."""
    rows = await db.execute(select(Facility.id, Facility.name_zh, Facility.name_en))
    return {row.id: (row.name_zh, row.name_en or row.id) for row in rows}


async def build_report(
    db: AsyncSession,
    scope: Scope,
    ack_seconds: float,
    now: datetime,
    cases: CasesMode = "all",
    worst_limit: int = WORST,
) -> Report:
    """The report's figures (and its case rows), or EmptyPeriod."""
    await queries.tune(db)
    quality = await queries.quality(db, scope)
    if quality["cases"] == 0:
        raise EmptyPeriod(
            f"no {'drill ' if scope.drill else ''}case"
            f"{' of pathway ' + scope.pathway if scope.pathway else ''}"
            f"{' at ' + scope.facility_id if scope.facility_id else ''}"
            f" from {scope.start.isoformat()} to {scope.end.isoformat()}: nothing to report"
        )
    definitions = by_key()
    kinds = {key: m.kind == "rate" for key, m in definitions.items()}
    groups = fold(await queries.figures(db, scope, combined_for(scope.pathway)), kinds)
    groups.update(ack_groups(await queries.acknowledgements(db, scope, ack_seconds)))
    ack_minutes = ack_seconds / 60
    metrics = [
        MetricReport(
            replace(m, target_minutes=ack_minutes) if m.name == ACK_METRIC else m, groups[m.key]
        )
        for m in catalogue()
        if m.key in groups
    ]
    # a combined metric's worst cases are its members' (merged below), not a query of their own
    outside = [
        r.metric.key
        for r in metrics
        if r.metric.kind == "interval" and not r.metric.members and r.groups.total.outside
    ]
    by_metric = {r.metric.key: r for r in metrics}
    for row in await queries.worst(db, scope, outside, worst_limit):
        by_metric[(row.pathway, row.name)].worst.append(
            Worst(
                row.case_id, row.minutes, row.target_minutes, row.facility_id, row.ref_at,
                row.start_at, row.end_at,
            )
        )  # fmt: skip
    for item in metrics:  # a combined metric's worst: the longest of its members' worst
        if item.metric.members:
            keys = [(member, item.metric.name) for member in item.metric.members]
            merged = [w for key in keys if key in by_metric for w in by_metric[key].worst]
            item.worst = sorted(merged, key=lambda w: (-w.minutes, w.case_id))[:worst_limit]
    report = Report(scope, now, quality, metrics, await facility_names(db))
    report.delays = [
        (r.pathway, r.name, r.code, int(r.n)) for r in await delays.delay_counts(db, scope)
    ]
    if cases != "none":
        report.cases = fold_cases(await queries.case_rows(db, scope, cases == "outside"))
    return report
