"""Metrics reported over several pathways together. Pure: no I/O.

DOMAIN.md, "Intervals and targets": FMC -> first ECG is reported for STEMI, for the other
chest-pain pathways and for all chest-pain patients combined. The combined row is the same
interval over the union of the member pathways' cases, reported under a pathway key of its own
(``all_chest_pain``): its median and p90 are those of the union (a second run of the figures
query with the members mapped to that key), never an average of the per-pathway figures.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace

from dispatch.reports.facts import ReportCaseFacts

# The one definition of which pathways are chest pain (the CPC record and the combined row).
CHEST_PAIN_PATHWAYS = frozenset({"stemi", "chest_pain"})
ALL_CHEST_PAIN = "all_chest_pain"


@dataclass(frozen=True)
class Combined:
    """An interval of several pathways, reported as one metric under the pathway ``key``."""

    key: str
    name: str
    members: tuple[str, ...]
    name_zh: str
    name_en: str


COMBINED: tuple[Combined, ...] = (
    Combined(
        ALL_CHEST_PAIN, "fmc_to_first_ecg", tuple(sorted(CHEST_PAIN_PATHWAYS)),
        "全部胸痛患者", "All chest pain",
    ),
)  # fmt: skip


def combined_for(pathway: str | None) -> tuple[Combined, ...]:
    """The combined metrics a report shows: only when it is not narrowed to one pathway (a
    report of one pathway has that pathway's row already, and no other pathway's cases)."""
    return COMBINED if pathway is None else ()


def by_key(key: str) -> Combined | None:
    """The combined metric reported under the pathway key ``key``, if any."""
    return next((c for c in COMBINED if c.key == key), None)


def combine(cases: Iterable[ReportCaseFacts], combined: Combined) -> Iterator[ReportCaseFacts]:
    """The members' cases as cases of the combined key, with only the combined interval's
    facts (the reference of what the second run of the figures query computes)."""
    for case in cases:
        if case.pathway in combined.members:
            facts = tuple(f for f in case.facts if f.name == combined.name)
            yield replace(case, pathway=combined.key, facts=facts)
