"""Shared by the interval tests: the facilities and their capabilities, times written by hand.

Times are given in Asia/Shanghai (+08:00) and in UTC, mixed on purpose: an interval is the same
whichever zone each of its stamps was written in.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

from dispatch.cases.intervals import IntervalResult, Stamp, compute_intervals
from dispatch.cases.pathways import Pathway, load_pathways

SHANGHAI = timezone(timedelta(hours=8), "Asia/Shanghai")
TOWNSHIP_A = "township_a"  # chest-pain treatment unit: ECG, transmits, lyses; no PCI
TOWNSHIP_B = "township_b"
COUNTY = "county"  # PCI, CT, thrombolysis
CITY = "city"  # comprehensive stroke centre: thrombectomy
CAPABILITIES = {
    TOWNSHIP_A: frozenset({"ecg12", "ecg_transmit", "thrombolysis"}),
    TOWNSHIP_B: frozenset({"ecg12", "ecg_transmit"}),
    COUNTY: frozenset({"ecg12", "pci", "ct", "thrombolysis", "stroke_thrombolysis"}),
    CITY: frozenset({"ecg12", "pci", "pci_24_7", "ct", "stroke_thrombolysis", "thrombectomy"}),
}
NOT_ORDERED = "ends before it starts: check the stamps"


def local(day: int, hour: int, minute: int, second: int = 0) -> datetime:
    """A wall-clock time in Asia/Shanghai, March 2025."""
    return datetime(2025, 3, day, hour, minute, second, tzinfo=SHANGHAI)


def utc(day: int, hour: int, minute: int, second: int = 0) -> datetime:
    """A time in UTC, March 2025 (UTC 15:40 is 23:40 in Shanghai)."""
    return datetime(2025, 3, day, hour, minute, second, tzinfo=UTC)


def stamps(*rows: tuple[str, datetime] | tuple[str, datetime, str | None]) -> list[Stamp]:
    """Stamps numbered in the order given: (milestone, at[, facility])."""
    made = []
    for number, row in enumerate(rows, start=1):
        facility = row[2] if len(row) == 3 else None
        made.append(Stamp(number, row[0], row[1], facility))
    return made


def pathway(pathway_id: str) -> Pathway:
    return load_pathways()[pathway_id]


def compute(pathway_id: str, case: list[Stamp]) -> list[IntervalResult]:
    return compute_intervals(pathway(pathway_id), case, CAPABILITIES)


def only(results: list[IntervalResult], name: str) -> IntervalResult:
    """The one result named ``name``."""
    found = [r for r in results if r.name == name]
    assert 1 == len(found), f"{name}: {len(found)} results"
    return found[0]


def names(results: list[IntervalResult]) -> list[str]:
    return [r.name for r in results]
