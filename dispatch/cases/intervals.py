"""Interval arithmetic on a case's time stamps, by its pathway's rules. Pure: no I/O, no clock.

Only the latest, non-superseded stamps count. Each endpoint is the earliest stamp of its
milestone (or of any of several), optionally narrowed to one facility; a case's facility legs
are its visits (door-in to door-out) in time order.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from dispatch.cases.pathways import Endpoint, IntervalSpec, Pathway


@dataclass(frozen=True)
class Stamp:
    event_id: int
    milestone: str
    at: datetime
    facility_id: str | None = None
    superseded: bool = False


@dataclass(frozen=True)
class Leg:
    """One facility visit: door-in and door-out (either may be missing)."""

    facility_id: str
    door_in: datetime | None
    door_out: datetime | None


@dataclass(frozen=True)
class IntervalResult:
    name: str
    label_zh: str
    label_en: str
    minutes: float | None
    target_minutes: float | None
    met: bool | None
    start_at: datetime | None
    end_at: datetime | None
    facility_id: str | None = None
    missing: tuple[str, ...] = ()
    note: str = ""


Capabilities = Mapping[str, frozenset[str]]


def current(stamps: Iterable[Stamp]) -> list[Stamp]:
    """The stamps that count: not superseded, in time order."""
    return sorted((s for s in stamps if not s.superseded), key=lambda s: (s.at, s.event_id))


def legs(stamps: Iterable[Stamp]) -> list[Leg]:
    """Facility visits: each door-in opens a leg, the next door-out at that facility closes it.

    A door-out with no open leg at its facility makes a leg without a door-in.
    """
    result: list[Leg] = []
    open_legs: dict[str, int] = {}
    for stamp in current(stamps):
        if stamp.facility_id is None:
            continue
        if stamp.milestone == "facility_arrival":
            if stamp.facility_id in open_legs:
                continue  # a second door-in while inside (status button and nurse both stamped)
            open_legs[stamp.facility_id] = len(result)
            result.append(Leg(stamp.facility_id, stamp.at, None))
        elif stamp.milestone == "facility_departure":
            index = open_legs.pop(stamp.facility_id, None)
            if index is None:
                result.append(Leg(stamp.facility_id, None, stamp.at))
            else:
                result[index] = Leg(stamp.facility_id, result[index].door_in, stamp.at)
    return result


def facility_at(stamps: Iterable[Stamp], at: datetime) -> str | None:
    """The facility the patient was in at ``at`` (the leg open then), if any."""
    inside = None
    for leg in legs(stamps):
        if (
            leg.door_in is not None
            and leg.door_in <= at
            and (leg.door_out is None or at < leg.door_out)
        ):
            inside = leg.facility_id
    return inside


def transferred(case_legs: Sequence[Leg], capabilities: Capabilities, target: str) -> bool:
    """Whether the patient's first facility lacked ``target`` (so they were transferred)."""
    return bool(case_legs) and target not in capabilities.get(case_legs[0].facility_id, ())


def stamp_facility(stamp: Stamp, stamps: Iterable[Stamp]) -> str | None:
    """Where a stamp happened: its own facility, else the facility the patient was in then."""
    return stamp.facility_id or facility_at(stamps, stamp.at)


def transferred_on(case_legs: Sequence[Leg], index: int) -> bool:
    """Whether the patient left the visit ``index`` for another facility (its door-out, or a
    later visit elsewhere)."""
    return case_legs[index].door_out is not None or any(
        leg.facility_id != case_legs[index].facility_id for leg in case_legs[index + 1 :]
    )


def _select_facility(
    selector: str, stamps: Sequence[Stamp], case_legs: Sequence[Leg], capabilities: Capabilities
) -> str | None:
    kind, _, arg = selector.partition(":")
    if kind == "first":
        return case_legs[0].facility_id if case_legs else None
    if kind == "capability":
        return next(
            (leg.facility_id for leg in case_legs if arg in capabilities.get(leg.facility_id, ())),
            None,
        )
    if kind == "where":
        found = next((s for s in stamps if s.milestone == arg), None)
        return stamp_facility(found, stamps) if found is not None else None
    raise ValueError(f"selector {selector!r} needs a leg")


def _matches(endpoint: Endpoint, stamp: Stamp, facility: str | None) -> bool:
    return stamp.milestone in endpoint.milestones and (
        facility is None or stamp.facility_id == facility
    )


def _resolve(
    endpoint: Endpoint,
    stamps: Sequence[Stamp],
    case_legs: Sequence[Leg],
    capabilities: Capabilities,
    not_after: datetime | None = None,
) -> tuple[Stamp | None, str | None]:
    """The endpoint's stamp and the facility it was narrowed to.

    The earliest matching stamp; but a start narrowed to a facility takes that facility's
    latest matching stamp not after the end (the door of the visit the end happened in).
    """
    facility = None
    if endpoint.facility is not None:
        facility = _select_facility(endpoint.facility, stamps, case_legs, capabilities)
        if facility is None:
            return None, None
    found = [s for s in stamps if _matches(endpoint, s, facility)]
    if facility is not None and not_after is not None:
        before = [s for s in found if s.at <= not_after]
        found = before[-1:] or found
    return (found[0] if found else None), facility


def _resolve_in_leg(endpoint: Endpoint, stamps: Sequence[Stamp], leg: Leg) -> datetime | None:
    """The earliest matching stamp at the leg's facility during the visit."""
    for stamp in stamps:
        if (
            _matches(endpoint, stamp, leg.facility_id)
            and (leg.door_in is None or stamp.at >= leg.door_in)
            and (leg.door_out is None or stamp.at <= leg.door_out)
        ):
            return stamp.at
    return None


def _applies(
    spec: IntervalSpec,
    stamps: Sequence[Stamp],
    case_legs: Sequence[Leg],
    caps: Capabilities,
    end_at: datetime | None = None,
    end_facility: str | None = None,
) -> bool:
    """Whether the case (or, per leg, the visit ending at ``end_at``) is in the interval's
    population; ``end_facility``: where the interval's end happened, if known."""
    present = {s.milestone for s in stamps}
    conditions = spec.applies_if
    if any(m not in present for m in conditions.present):
        return False
    if any(m in present for m in conditions.absent):
        return False
    if any(
        s.milestone in conditions.absent_before_end and (end_at is None or s.at <= end_at)
        for s in stamps
    ):
        return False
    if conditions.transferred is None:
        return True
    if end_facility is not None:
        was = bool(case_legs) and case_legs[0].facility_id != end_facility
    else:
        was = transferred(case_legs, caps, conditions.transfer_capability)
    return conditions.transferred == was


def _result(
    spec: IntervalSpec,
    start: datetime | None,
    end: datetime | None,
    facility: str | None,
) -> IntervalResult:
    missing = tuple(
        "/".join(endpoint.milestones)
        for endpoint, at in ((spec.start, start), (spec.end, end))
        if at is None
    )
    minutes = None if start is None or end is None else (end - start).total_seconds() / 60
    met = None
    note = ""
    if minutes is not None and minutes < 0:
        note = "ends before it starts: check the stamps"
    elif minutes is not None and spec.target_minutes is not None:
        met = (
            minutes <= spec.target_minutes if spec.met_if == "le" else minutes < spec.target_minutes
        )
        if spec.target_from_minutes is not None:
            met = met and minutes >= spec.target_from_minutes
    return IntervalResult(
        name=spec.name,
        label_zh=spec.label_zh,
        label_en=spec.label_en,
        minutes=minutes,
        target_minutes=spec.target_minutes,
        met=met,
        start_at=start,
        end_at=end,
        facility_id=facility,
        missing=missing,
        note=note,
    )


def compute_intervals(
    pathway: Pathway, stamps: Iterable[Stamp], capabilities: Capabilities
) -> list[IntervalResult]:
    """Every interval of the pathway that applies to the case, in the pathway's order."""
    counted = current(stamps)
    case_legs = legs(counted)
    results: list[IntervalResult] = []
    for spec in pathway.intervals:
        if spec.per_leg:
            results.extend(_per_leg(spec, counted, case_legs, capabilities))
            continue
        end, end_facility = _resolve(spec.end, counted, case_legs, capabilities)
        where = stamp_facility(end, counted) if end is not None else None
        end_at = end.at if end is not None else None
        if not _applies(spec, counted, case_legs, capabilities, end_at, where):
            continue
        start, start_facility = _resolve(spec.start, counted, case_legs, capabilities, end_at)
        start_at = start.at if start is not None else None
        results.append(_result(spec, start_at, end_at, start_facility or end_facility))
    return results


def _per_leg(
    spec: IntervalSpec, counted: Sequence[Stamp], case_legs: Sequence[Leg], caps: Capabilities
) -> list[IntervalResult]:
    """The interval at each visit in its population (e.g. DIDO at each non-PCI facility the
    patient was transferred on from)."""
    conditions = spec.applies_if
    results = []
    for index, leg in enumerate(case_legs):
        lacking = conditions.leg_without_capability
        if lacking is not None and lacking in caps.get(leg.facility_id, ()):
            continue
        if conditions.leg_transferred_on and not transferred_on(case_legs, index):
            continue
        end = _resolve_in_leg(spec.end, counted, leg)
        if not _applies(spec, counted, case_legs, caps, end or leg.door_out, leg.facility_id):
            continue
        start = _resolve_in_leg(spec.start, counted, leg)
        results.append(_result(spec, start, end, leg.facility_id))
    return results
