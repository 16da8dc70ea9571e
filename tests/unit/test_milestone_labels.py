"""The server's milestone names (charts, report files) are the pages' names, in both languages."""

from __future__ import annotations

import re
from pathlib import Path

from dispatch.cases.milestone_labels import LABELS, milestone_label, unlabelled

MILESTONES_JS = Path(__file__).resolve().parents[2] / "dispatch/web/static/js/milestones.js"


def page_labels() -> dict[str, tuple[str, str]]:
    """milestones.js's LABELS table (one `id: ['中文', 'English'],` per line)."""
    source = MILESTONES_JS.read_text(encoding="utf-8")
    block = source[source.index("const LABELS = {") : source.index("};")]
    rows = re.findall(r"^\s+(\w+): \['([^']*)', '([^']*)'\],", block, re.MULTILINE)
    return {milestone: (zh, en) for milestone, zh, en in rows}


def test_every_milestone_has_a_name() -> None:
    """Each milestone of the vocabulary has its Chinese and English name on the server."""
    assert [] == unlabelled()


def test_the_server_names_milestones_as_the_pages_do() -> None:
    """The two tables are the same (a rename in one is a failure until the other follows)."""
    assert page_labels() == LABELS


def test_milestone_label_picks_the_language() -> None:
    """zh → Chinese, en → English, an unknown milestone as it is."""
    assert ("动脉穿刺", "Arterial puncture", "x_y") == (
        milestone_label("arterial_puncture", "zh"),
        milestone_label("arterial_puncture", "en"),
        milestone_label("x_y", "zh"),
    )
