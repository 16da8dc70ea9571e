"""What the report's files call things: pathways, data-quality findings and the files themselves.

Chinese files carry no raw codes: a pathway by its name, a finding ("missing:first_ecg") as
"缺失：首份心电图". English files keep the codes their readers' tools match on. A download's
name says what it holds and for which days, the last one included:
``infofirst-intervals-stemi-2026-11-01_2026-11-30.xlsx``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Literal
from zoneinfo import ZoneInfo

from dispatch.cases.milestone_labels import milestone_label
from dispatch.cases.pathways import load_pathways
from dispatch.reports.combined import by_key as combined_by_key

Lang = Literal["zh", "en"]

FINDING_KINDS: dict[str, str] = {
    "missing": "缺失",
    "out_of_order": "顺序错误",
    "negative": "时间为负",
    "clock_skew": "时钟偏差",
    "corrected": "已更正",
}
UNSAFE = re.compile(r"[^a-z0-9_-]+")


def pathway_name(pathway: str, lang: Lang) -> str:
    """The pathway's Chinese name for ``zh``; its id for ``en`` (an unknown one as it is); a
    combined metric's key (``all_chest_pain``) names its patients ("全部胸痛患者")."""
    found = load_pathways().get(pathway)
    combined = combined_by_key(pathway)
    if lang == "zh" and combined is not None:
        return combined.name_zh
    return found.name_zh if lang == "zh" and found is not None else pathway


def finding_text(finding: str, lang: Lang, metric_labels: Mapping[str, str]) -> str:
    """A data-quality finding ``kind:subject`` in Chinese for ``zh`` (the subject a milestone,
    ``a/b`` either of two, or a metric for ``negative``); as it is for ``en``."""
    kind, _, subject = finding.partition(":")
    if lang != "zh" or kind not in FINDING_KINDS:
        return finding
    if kind == "negative":
        return f"{FINDING_KINDS[kind]}：{metric_labels.get(subject, subject)}"
    either = "或".join(milestone_label(m, "zh") for m in subject.split("/"))  # a/b: either
    return f"{FINDING_KINDS[kind]}：{either}"


def last_day(end: datetime, time_zone: str) -> str:
    """The last local day of the half-open period ending at ``end`` (YYYY-MM-DD)."""
    return (end.astimezone(ZoneInfo(time_zone)) - timedelta(microseconds=1)).date().isoformat()


def _safe(part: str) -> str:
    return UNSAFE.sub("-", part.lower()).strip("-")


def report_file_name(
    start: datetime,
    end: datetime,
    time_zone: str,
    extension: str,
    *,
    pathway: str | None = None,
    facility_id: str | None = None,
    drill: bool = False,
    table: str | None = None,
    lang: Lang = "zh",
) -> str:
    """The download's name: what it holds (the CSV table when not the summary, the pathway or
    "all", the facility, drills), the period with its last day included, English marked."""
    first = start.astimezone(ZoneInfo(time_zone)).date().isoformat()
    parts = ["infofirst", "intervals"]
    if table and table != "summary":
        parts.append(_safe(table))
    parts.append(_safe(pathway) if pathway else "all")
    if facility_id:
        parts.append(_safe(facility_id))
    if drill:
        parts.append("drill")
    parts.append(f"{first}_{last_day(end, time_zone)}")
    if lang == "en":
        parts.append("en")
    return "-".join(p for p in parts if p) + f".{extension}"
