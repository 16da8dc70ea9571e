"""What the report's files call things: the download's name, pathways and findings (pure)."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from dispatch.reports.names import finding_text, last_day, pathway_name, report_file_name

ZONE = "Asia/Shanghai"
LOCAL = ZoneInfo(ZONE)


def test_the_last_day_is_the_day_before_an_exclusive_midnight() -> None:
    """[1 Nov, 1 Dec) ends on 30 Nov; a period ending at noon ends that day."""
    assert "2026-11-30" == last_day(datetime(2026, 12, 1, tzinfo=LOCAL), ZONE)
    assert "2026-12-01" == last_day(datetime(2026, 12, 1, 12, tzinfo=LOCAL), ZONE)


def test_file_name_of_a_month_of_stemi() -> None:
    """The issue's example: infofirst-intervals-stemi-2026-11-01_2026-11-30.xlsx."""
    start, end = datetime(2026, 11, 1, tzinfo=LOCAL), datetime(2026, 12, 1, tzinfo=LOCAL)
    assert "infofirst-intervals-stemi-2026-11-01_2026-11-30.xlsx" == report_file_name(
        start, end, ZONE, "xlsx", pathway="stemi"
    )


def test_file_names_differ_by_what_they_hold() -> None:
    """Table, facility, drills and English each change the name; unsafe characters go."""
    start, end = datetime(2026, 11, 1, tzinfo=LOCAL), datetime(2026, 12, 1, tzinfo=LOCAL)
    names = {
        report_file_name(start, end, ZONE, "csv"),
        report_file_name(start, end, ZONE, "csv", table="cases"),
        report_file_name(start, end, ZONE, "csv", table="findings"),
        report_file_name(start, end, ZONE, "csv", facility_id="th-nandun"),
        report_file_name(start, end, ZONE, "csv", drill=True),
        report_file_name(start, end, ZONE, "csv", lang="en"),
    }
    assert 6 == len(names)
    odd = report_file_name(start, end, ZONE, "pdf", facility_id='A "b"/../c')
    assert "infofirst-intervals-all-a-b-c-2026-11-01_2026-11-30.pdf" == odd


def test_a_utc_period_is_named_by_its_local_days() -> None:
    """16:00 UTC on 31 Oct is 1 Nov in Shanghai."""
    start = datetime(2026, 10, 31, 16, tzinfo=ZoneInfo("UTC"))
    end = datetime(2026, 11, 30, 16, tzinfo=ZoneInfo("UTC"))
    assert "infofirst-intervals-all-2026-11-01_2026-11-30.csv" == report_file_name(
        start, end, ZONE, "csv"
    )


def test_findings_and_pathways_in_chinese_codes_in_english() -> None:
    """zh: words; en: the codes as they are."""
    labels = {"door_to_wire": "PCI医院入门至导丝通过"}
    assert [
        "缺失：首份心电图",
        "缺失：心电图已传输或预警已发送",
        "时间为负：PCI医院入门至导丝通过",
        "已更正：导丝通过",
        "unknown:thing",
        "missing:first_ecg",
    ] == [
        finding_text("missing:first_ecg", "zh", labels),
        finding_text("missing:ecg_transmitted/prealert_sent", "zh", labels),
        finding_text("negative:door_to_wire", "zh", labels),
        finding_text("corrected:wire_crossing", "zh", labels),
        finding_text("unknown:thing", "zh", labels),
        finding_text("missing:first_ecg", "en", labels),
    ]
    assert ("急性ST段抬高型心肌梗死", "stemi") == (
        pathway_name("stemi", "zh"),
        pathway_name("stemi", "en"),
    )
