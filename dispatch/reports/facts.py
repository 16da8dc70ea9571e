"""A case's report facts, from its stamps by its pathway's rules. Pure: no I/O, no clock.

Each interval of the pathway that applies to the case is one fact (per-leg intervals one per
leg), attributed to the facility the interval names, else the patient's first facility, else
the facility that opened the case. Each rate of ``rates.json`` that applies is one fact with
``met`` only. The case's reference time (which month it counts in) is its first medical
contact, else its earliest stamp, else when it was opened. Data-quality findings are listed.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Literal
from zoneinfo import ZoneInfo

from dispatch.cases.intervals import Stamp, compute_intervals, current, legs
from dispatch.cases.pathways import Pathway
from dispatch.reports.rates import RateSpec, rate_met

Kind = Literal["interval", "rate"]
# The read model stores each case's local month in the network's time zone (docs/domain.md,
# "Time and language"), so a report groups by a column instead of converting every row's time; a
# report asked in another zone computes the month from the stored UTC time instead.
READ_MODEL_TIME_ZONE = "Asia/Shanghai"


@dataclass(frozen=True)
class EventNote:
    """What data quality needs from one stored event."""

    event_id: int
    milestone: str
    flags: tuple[str, ...] = ()
    supersedes: int | None = None


@dataclass(frozen=True, slots=True)
class Fact:
    name: str
    leg: int
    kind: Kind
    facility_id: str | None
    minutes: float | None
    target_minutes: float | None
    met: bool | None
    start_at: datetime | None = None
    end_at: datetime | None = None


@dataclass(frozen=True)
class ReportCaseFacts:
    case_id: int
    pathway: str
    drill: bool
    facility_id: str | None
    ref_at: datetime
    month: date
    facts: tuple[Fact, ...]
    missing: int
    out_of_order: int
    clock_skew: int
    corrections: int
    findings: tuple[str, ...]


def facilities_of(facts: ReportCaseFacts) -> list[str]:
    """The facilities a case names, sorted: its own and its facts' (a facility's report counts
    the case when it is one of them; report_cases.facilities, migration 0034)."""
    named = {facts.facility_id, *(f.facility_id for f in facts.facts)}
    return sorted(x for x in named if x is not None)


@dataclass(frozen=True)
class CaseInput:
    """Everything about one case the facts are computed from."""

    case_id: int
    pathway: str
    drill: bool
    created_at: datetime
    created_facility_id: str | None
    events: tuple[EventNote, ...]
    stamps: tuple[Stamp, ...]


def reference_time(counted: Sequence[Stamp], created_at: datetime) -> datetime:
    """When the case counts: first medical contact, else its earliest stamp, else its opening."""
    fmc = next((s.at for s in counted if s.milestone == "first_medical_contact"), None)
    if fmc is not None:
        return fmc
    return counted[0].at if counted else created_at


def local_month(at: datetime, zone: str = READ_MODEL_TIME_ZONE) -> date:
    """The first day of the month ``at`` falls in, in the time zone."""
    local = at.astimezone(ZoneInfo(zone))
    return date(local.year, local.month, 1)


def _quality(
    events: Iterable[EventNote], counted: Sequence[Stamp], facts: Sequence[Fact], missing: list[str]
) -> tuple[int, int, int, int, tuple[str, ...]]:
    live = {s.event_id for s in counted}
    notes = list(events)
    by_id = {e.event_id: e for e in notes}
    found = [f"missing:{m}" for m in missing]
    skewed = [e for e in notes if e.event_id in live and "clock_skew" in e.flags]
    disordered = [e for e in notes if e.event_id in live and "out_of_order" in e.flags]
    negative = [f for f in facts if f.minutes is not None and f.minutes < 0]
    corrected = [e for e in notes if e.supersedes is not None]
    found += [f"out_of_order:{e.milestone}" for e in disordered]
    found += [f"negative:{f.name}" for f in negative]
    found += [f"clock_skew:{e.milestone}" for e in skewed]
    for e in corrected:
        old = by_id.get(e.supersedes or 0)
        found.append(f"corrected:{old.milestone if old else e.milestone}")
    return (
        len(missing),
        len(disordered) + len(negative),
        len(skewed),
        len(corrected),
        tuple(found),
    )


def report_case_facts(
    case: CaseInput,
    pathway: Pathway,
    rates: Sequence[RateSpec],
    capabilities: Mapping[str, frozenset[str]],
) -> ReportCaseFacts:
    """The case's facts, its reference time and its data-quality findings."""
    counted = current(case.stamps)
    case_legs = legs(counted)
    first = case_legs[0].facility_id if case_legs else case.created_facility_id
    facts: list[Fact] = []
    leg_numbers: dict[str, int] = {}
    missing: list[str] = []
    present = {s.milestone for s in counted}
    for result in compute_intervals(pathway, counted, capabilities):
        leg = leg_numbers.get(result.name, 0)
        leg_numbers[result.name] = leg + 1
        for name in result.missing:
            # a stamp the case lacks (not an end that could not be placed for want of another)
            if name not in missing and not present.intersection(name.split("/")):
                missing.append(name)
        facts.append(
            Fact(
                name=result.name,
                leg=leg,
                kind="interval",
                facility_id=result.facility_id or first,
                minutes=result.minutes,
                target_minutes=result.target_minutes,
                met=result.met,
                start_at=result.start_at,
                end_at=result.end_at,
            )
        )
    for spec in rates:
        if pathway.id not in spec.pathways:
            continue
        outcome = rate_met(spec, counted, case_legs, capabilities)
        if outcome is not None:
            met, facility = outcome
            facts.append(Fact(spec.name, 0, "rate", facility, None, None, met))
    missing_n, disorder, skew, corrections, findings = _quality(
        case.events, counted, facts, missing
    )
    ref_at = reference_time(counted, case.created_at)
    return ReportCaseFacts(
        case_id=case.case_id,
        pathway=pathway.id,
        drill=case.drill,
        facility_id=first,
        ref_at=ref_at,
        month=local_month(ref_at),
        facts=tuple(facts),
        missing=missing_n,
        out_of_order=disorder,
        clock_skew=skew,
        corrections=corrections,
        findings=findings,
    )
