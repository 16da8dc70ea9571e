"""Hand-computed report fixtures (synthetic cases) and each case's facts, checked by hand.

The same cases feed the metric tests (tests/unit/test_report_metrics.py), the SQL-against-pure
tests (tests/integration/test_report_sql.py) and the API tests (tests/e2e/test_reports_api.py).
Times are wall-clock Asia/Shanghai. Facilities and capabilities are the demo county's:
th-nandun and th-dingji are township units without PCI, county-hospital has PCI but no
thrombectomy, city-hospital has both.

- ``a47``: the 47-minute case: Nandun walk-in, transferred, over midnight (10 → 11 March).
- ``b_walk_in``: a county walk-in through the ED, slow door-to-wire, the wire stamp corrected.
- ``c_ambulance``: a 120 call straight to the county (April), diagnosis stamped before the ECG
  (out of order), the ECG transmission sent from a device whose clock was 5 minutes off.
- ``d_stroke``: a stroke at the county, lysed, transferred to the city for thrombectomy.
- ``e_dingji``: a Dingji walk-in at 00:05 on 1 April local (still 31 March in UTC), through the
  county ED, slow everywhere, no ECG transmitted.
- ``f_drill``: a drill (reported apart, never in the real figures).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone

import pytest

from dispatch.cases.intervals import Stamp
from dispatch.cases.pathways import load_pathways
from dispatch.reports.facts import CaseInput, EventNote, ReportCaseFacts, report_case_facts
from dispatch.reports.rates import load_rates

SHANGHAI = timezone(timedelta(hours=8), "Asia/Shanghai")
NANDUN, DINGJI, COUNTY, CITY = "th-nandun", "th-dingji", "county-hospital", "city-hospital"
CAPABILITIES = {
    NANDUN: frozenset({"ecg12", "ecg_transmit", "thrombolysis"}),
    DINGJI: frozenset({"ecg12", "ecg_transmit", "thrombolysis"}),
    COUNTY: frozenset({"ecg12", "ecg_transmit", "thrombolysis", "pci", "pci_24_7", "ct",
                       "stroke_thrombolysis"}),
    CITY: frozenset({"ecg12", "ecg_transmit", "thrombolysis", "pci", "pci_24_7", "ct",
                     "stroke_thrombolysis", "thrombectomy"}),
}  # fmt: skip


def local(month: int, day: int, hour: int, minute: int) -> datetime:
    """A wall-clock time in Asia/Shanghai, 2025."""
    return datetime(2025, month, day, hour, minute, tzinfo=SHANGHAI)


@dataclass(frozen=True)
class Row:
    """One stamp as sent: ``corrects`` is the index of the row it supersedes."""

    milestone: str
    at: datetime
    facility: str | None = None
    skewed: bool = False
    corrects: int | None = None


@dataclass(frozen=True)
class FixtureCase:
    key: str
    pathway: str
    rows: tuple[Row, ...]
    drill: bool = False


def _rows(*items: tuple[str, datetime] | tuple[str, datetime, str | None]) -> tuple[Row, ...]:
    return tuple(Row(i[0], i[1], i[2] if len(i) == 3 else None) for i in items)


A47 = FixtureCase("a47", "stemi", _rows(
    ("facility_arrival", local(3, 10, 23, 20), NANDUN),
    ("first_medical_contact", local(3, 10, 23, 20), NANDUN),
    ("first_ecg", local(3, 10, 23, 24), NANDUN),
    ("ecg_transmitted", local(3, 10, 23, 26), NANDUN),
    ("diagnosis", local(3, 10, 23, 32)),
    ("critical_value_reported", local(3, 10, 23, 40), NANDUN),
    ("cathlab_activated", local(3, 10, 23, 44), COUNTY),
    ("facility_departure", local(3, 10, 23, 48), NANDUN),
    ("cathlab_ready", local(3, 11, 0, 10), COUNTY),
    ("facility_arrival", local(3, 11, 0, 15), COUNTY),
    ("cathlab_arrival", local(3, 11, 0, 18), COUNTY),
    ("arterial_puncture", local(3, 11, 0, 27), COUNTY),
    ("wire_crossing", local(3, 11, 0, 38), COUNTY),
))  # fmt: skip
B_WALK_IN = FixtureCase("b_walk_in", "stemi", (
    *_rows(
        ("symptom_onset", local(3, 15, 7, 0)),
        ("facility_arrival", local(3, 15, 8, 0), COUNTY),
        ("first_medical_contact", local(3, 15, 8, 0), COUNTY),
        ("ed_arrival", local(3, 15, 8, 5), COUNTY),
        ("first_ecg", local(3, 15, 8, 12), COUNTY),
        ("diagnosis", local(3, 15, 8, 20), COUNTY),
        ("cathlab_activated", local(3, 15, 8, 25), COUNTY),
        ("cathlab_ready", local(3, 15, 9, 0), COUNTY),
        ("cathlab_arrival", local(3, 15, 9, 5), COUNTY),
        ("arterial_puncture", local(3, 15, 9, 20), COUNTY),
        ("wire_crossing", local(3, 15, 9, 50), COUNTY),
    ),
    Row("wire_crossing", local(3, 15, 9, 45), COUNTY, corrects=10),
))  # fmt: skip
C_AMBULANCE = FixtureCase("c_ambulance", "stemi", (
    *_rows(
        ("call_received", local(4, 2, 10, 0)),
        ("unit_notified", local(4, 2, 10, 1)),
        ("unit_on_scene", local(4, 2, 10, 12)),
        ("first_medical_contact", local(4, 2, 10, 13)),
        ("first_ecg", local(4, 2, 10, 18)),
        ("diagnosis", local(4, 2, 10, 16)),
    ),
    Row("ecg_transmitted", local(4, 2, 10, 20), skewed=True),
    *_rows(
        ("prealert_sent", local(4, 2, 10, 21)),
        ("cathlab_activated", local(4, 2, 10, 22), COUNTY),
        ("unit_left_scene", local(4, 2, 10, 25)),
        ("cathlab_ready", local(4, 2, 10, 45), COUNTY),
        ("facility_arrival", local(4, 2, 10, 50), COUNTY),
        ("cathlab_arrival", local(4, 2, 10, 52), COUNTY),
        ("arterial_puncture", local(4, 2, 11, 0), COUNTY),
        ("wire_crossing", local(4, 2, 11, 10), COUNTY),
    ),
))  # fmt: skip
D_STROKE = FixtureCase("d_stroke", "stroke", _rows(
    ("facility_arrival", local(4, 5, 14, 0), COUNTY),
    ("first_medical_contact", local(4, 5, 14, 0), COUNTY),
    ("ct_start", local(4, 5, 14, 20), COUNTY),
    ("thrombolysis_start", local(4, 5, 14, 50), COUNTY),
    ("facility_departure", local(4, 5, 15, 10), COUNTY),
    ("facility_arrival", local(4, 5, 16, 0), CITY),
    ("arterial_puncture", local(4, 5, 16, 30), CITY),
))  # fmt: skip
E_DINGJI = FixtureCase("e_dingji", "stemi", _rows(
    ("facility_arrival", local(4, 1, 0, 5), DINGJI),
    ("first_medical_contact", local(4, 1, 0, 5), DINGJI),
    ("first_ecg", local(4, 1, 0, 20), DINGJI),
    ("diagnosis", local(4, 1, 0, 35)),
    ("critical_value_reported", local(4, 1, 0, 36), DINGJI),
    ("facility_departure", local(4, 1, 1, 0), DINGJI),
    ("facility_arrival", local(4, 1, 1, 40), COUNTY),
    ("ed_arrival", local(4, 1, 1, 42), COUNTY),
    ("cathlab_arrival", local(4, 1, 2, 0), COUNTY),
    ("arterial_puncture", local(4, 1, 2, 10), COUNTY),
    ("wire_crossing", local(4, 1, 2, 25), COUNTY),
))  # fmt: skip
F_DRILL = FixtureCase("f_drill", "stemi", _rows(
    ("facility_arrival", local(3, 20, 9, 0), COUNTY),
    ("first_medical_contact", local(3, 20, 9, 0), COUNTY),
    ("first_ecg", local(3, 20, 9, 3), COUNTY),
), drill=True)  # fmt: skip
FIXTURES = (A47, B_WALK_IN, C_AMBULANCE, D_STROKE, E_DINGJI, F_DRILL)


def flags_of(case: FixtureCase, index: int) -> tuple[str, ...]:
    """The flags the service gives these rows (tests/e2e checks them through the API)."""
    row = case.rows[index]
    found = []
    if case.key == "c_ambulance" and row.milestone == "diagnosis":
        found.append("out_of_order")  # stamped after the first ECG, 2 minutes before it
    if row.skewed:
        found.append("clock_skew")
    return tuple(found)


def case_input(case: FixtureCase, case_id: int = 1) -> CaseInput:
    """The fixture as the pure modules take it (event ids 1, 2, … in row order)."""
    replaced = {row.corrects + 1 for row in case.rows if row.corrects is not None}
    events = tuple(
        EventNote(
            i + 1,
            row.milestone,
            flags_of(case, i),
            None if row.corrects is None else row.corrects + 1,
        )
        for i, row in enumerate(case.rows)
    )
    stamps = tuple(
        Stamp(i + 1, row.milestone, row.at, row.facility, superseded=i + 1 in replaced)
        for i, row in enumerate(case.rows)
    )
    return CaseInput(case_id, case.pathway, case.drill, local(11, 1, 0, 0), None, events, stamps)


def facts_of(case: FixtureCase, case_id: int = 1) -> ReportCaseFacts:
    """The fixture's facts by the pure module."""
    pathway = load_pathways()[case.pathway]
    return report_case_facts(case_input(case, case_id), pathway, load_rates(), CAPABILITIES)


def table(facts: ReportCaseFacts) -> dict[tuple[str, str | None], tuple[float | None, bool | None]]:
    """(metric, facility) → (minutes, met)."""
    return {(f.name, f.facility_id): (f.minutes, f.met) for f in facts.facts}


def test_the_47_minute_case_facts() -> None:
    """Every interval and rate of the 47-minute case, attributed and judged by hand."""
    assert {
        ("fmc_to_first_ecg", NANDUN): (4.0, True),
        ("first_ecg_to_diagnosis", NANDUN): (8.0, True),
        ("first_ecg_to_notification", NANDUN): (2.0, True),
        ("critical_value_to_puncture", NANDUN): (47.0, True),
        ("door_in_door_out", NANDUN): (28.0, True),
        ("door_to_wire", COUNTY): (23.0, True),
        ("fmc_to_wire_transferred", NANDUN): (78.0, True),
        ("cathlab_activation", NANDUN): (26.0, True),
        ("symptom_onset_to_fmc", NANDUN): (None, None),
        ("diagnosis_to_wire_transferred", NANDUN): (66.0, True),  # 23:32 -> 00:38
        ("total_ischaemic_time", NANDUN): (None, None),  # no onset stamped
        ("ecg_transmitted_prehospital", NANDUN): (None, True),
        ("ed_bypass_transferred", COUNTY): (None, True),
    } == table(facts_of(A47))


def test_the_47_minute_case_counts_in_march_by_its_first_contact() -> None:
    """Its reference time is the first medical contact (23:20 on 10 March, local)."""
    facts = facts_of(A47)
    assert (local(3, 10, 23, 20), NANDUN) == (facts.ref_at, facts.facility_id)
    assert (1, ("missing:symptom_onset",)) == (facts.missing, facts.findings)


def test_a_corrected_wire_stamp_counts_its_correction() -> None:
    """B: the corrected wire time (09:45) counts: door-to-wire 105, one correction listed."""
    facts = facts_of(B_WALK_IN)
    found = table(facts)
    assert (105.0, False) == found[("door_to_wire", COUNTY)]
    assert (105.0, False) == found[("fmc_to_wire_direct", COUNTY)]
    assert (12.0, False) == found[("fmc_to_first_ecg", COUNTY)]
    assert (35.0, False) == found[("cathlab_activation", COUNTY)]
    assert (60.0, None) == found[("symptom_onset_to_fmc", COUNTY)]
    # a walk-in may visit the ED; B went from the ED to the cath lab, never to the CCU: bypassed
    assert (None, True) == found[("ccu_bypass_walk_in", COUNTY)]
    assert "ecg_transmitted_prehospital" not in {f.name for f in facts.facts}  # a walk-in
    assert (2, 0, 0, 1) == (facts.missing, facts.out_of_order, facts.clock_skew, facts.corrections)
    assert "corrected:wire_crossing" in facts.findings


def test_out_of_order_and_clock_skew_are_found() -> None:
    """C: diagnosis before the ECG is flagged and its negative interval left out; skew listed."""
    facts = facts_of(C_AMBULANCE)
    found = table(facts)
    assert (-2.0, None) == found[("first_ecg_to_diagnosis", COUNTY)]
    assert (20.0, True) == found[("door_to_wire", COUNTY)]
    assert (57.0, True) == found[("fmc_to_wire_direct", COUNTY)]
    assert (None, True) == found[("ecg_transmitted_prehospital", COUNTY)]  # an ambulance case
    assert (None, True) == found[("ed_bypass_transferred", COUNTY)]
    assert (2, 2, 1, 0) == (facts.missing, facts.out_of_order, facts.clock_skew, facts.corrections)
    assert {
        "out_of_order:diagnosis",
        "negative:first_ecg_to_diagnosis",
        "clock_skew:ecg_transmitted",
    } <= set(facts.findings)


def test_a_stroke_transfer_has_a_door_in_door_out_at_the_county_only() -> None:
    """D: DIDO 70 at the county (no thrombectomy), none at the city; door-to-groin at the city."""
    assert {
        ("door_to_ct", COUNTY): (20.0, True),
        ("door_to_ct_read", COUNTY): (None, None),
        ("door_to_needle", COUNTY): (50.0, True),
        ("door_to_groin", CITY): (30.0, True),
        ("door_to_needle_45", COUNTY): (50.0, False),
        ("door_in_door_out", COUNTY): (70.0, False),
        ("critical_value_to_puncture", COUNTY): (None, None),
        ("onset_to_door", COUNTY): (None, None),
        ("onset_to_needle", COUNTY): (None, None),
        ("puncture_to_recanalization", COUNTY): (None, None),
        ("stroke_iv_lysis_rate", COUNTY): (None, True),  # lysed at the county
        ("stroke_thrombectomy_rate", CITY): (None, True),  # punctured at the city
    } == table(facts_of(D_STROKE))


def test_just_after_midnight_on_the_first_counts_in_the_new_local_month() -> None:
    """E: 00:05 on 1 April in Shanghai is 31 March in UTC; its reference time is that instant."""
    facts = facts_of(E_DINGJI)
    assert datetime(2025, 3, 31, 16, 5, tzinfo=UTC) == facts.ref_at
    found = table(facts)
    assert (55.0, False) == found[("door_in_door_out", DINGJI)]
    assert (94.0, False) == found[("critical_value_to_puncture", DINGJI)]
    assert (140.0, False) == found[("fmc_to_wire_transferred", DINGJI)]
    assert (None, False) == found[("ecg_transmitted_prehospital", DINGJI)]
    assert (None, False) == found[("ed_bypass_transferred", COUNTY)]
    assert (None, None) == found[("cathlab_activation", DINGJI)]
    assert 4 == facts.missing


@pytest.mark.parametrize("case", FIXTURES, ids=lambda c: c.key)
def test_every_fixture_has_facts(case: FixtureCase) -> None:
    """Each fixture case yields facts of its own pathway and drill flag."""
    facts = facts_of(case)
    assert (case.pathway, case.drill) == (facts.pathway, facts.drill)
    assert facts.facts
