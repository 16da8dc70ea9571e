"""Pathways as data: the shipped file loads, bad pathways are refused, a new one needs no code."""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from pydantic import ValidationError

from dispatch.cases.intervals import Stamp, compute_intervals
from dispatch.cases.milestones import MILESTONE_SET
from dispatch.cases.pathways import defined_milestones, load_pathways, parse_pathways
from units.vocabulary import receiver_tokens

SHANGHAI = timezone(timedelta(hours=8), "Asia/Shanghai")


def _valid() -> dict[str, Any]:
    """A small valid pathway file, to break one thing at a time."""
    return {
        "pathways": [
            {
                "id": "mini",
                "name_zh": "测试",
                "name_en": "Mini",
                "receivers": {"any_capability": ["pci"]},
                "milestones": ["first_medical_contact", "first_ecg", "facility_arrival"],
                "intervals": [
                    {
                        "name": "fmc_to_first_ecg",
                        "label_zh": "首次医疗接触至首份心电图",
                        "label_en": "FMC to first ECG",
                        "from": {"milestone": "first_medical_contact"},
                        "to": {"milestone": "first_ecg"},
                        "target_minutes": 10,
                    },
                    {
                        "name": "door_in_door_out",
                        "label_zh": "入门至出门",
                        "label_en": "Door-in to door-out",
                        "from": {"milestone": "facility_arrival", "facility": "leg"},
                        "to": {"milestone": "facility_departure", "facility": "leg"},
                        "per_leg": True,
                        "applies_if": {"leg_without_capability": "pci"},
                        "target_minutes": 30,
                    },
                ],
            }
        ]
    }


def _parse(doc: dict[str, Any]) -> None:
    parse_pathways(json.dumps(doc, ensure_ascii=False))


def test_the_shipped_file_loads() -> None:
    """pathways.json loads: STEMI, chest pain, stroke, trauma, critical maternal and neonatal
    care (the five centres), with their intervals."""
    pathways = load_pathways()
    assert {"stemi", "chest_pain", "stroke", "trauma", "maternal", "neonatal"} == set(pathways)
    assert [
        "fmc_to_first_ecg",
        "first_ecg_to_diagnosis",
        "first_ecg_to_notification",
        "critical_value_to_puncture",
        "door_in_door_out",
        "door_to_needle",
        "door_to_wire",
        "fmc_to_wire_transferred",
        "fmc_to_wire_direct",
        "cathlab_activation",
        "symptom_onset_to_fmc",
        "diagnosis_to_wire_transferred",
        "diagnosis_to_wire_direct",
        "diagnosis_to_needle",
        "total_ischaemic_time",
        "lysis_to_angiography",
        "troponin_drawn_to_result",
    ] == [i.name for i in pathways["stemi"].intervals]
    own = set(defined_milestones())
    for p in pathways.values():
        assert set(p.milestones) <= MILESTONE_SET | own
    assert {"obstetric_surgery_start", "nicu_admission"} <= own


def test_the_shipped_targets_follow_the_domain() -> None:
    """Targets and how they are met match docs/domain.md, "Intervals and targets" (le: ≤, lt: <)."""
    stemi = {i.name: (i.target_minutes, i.met_if) for i in load_pathways()["stemi"].intervals}
    assert (90, "le") == stemi["door_to_wire"]
    assert (30, "lt") == stemi["cathlab_activation"]
    assert (30, "le") == stemi["door_in_door_out"]
    assert (120, "le") == stemi["fmc_to_wire_transferred"]
    assert (90, "le") == stemi["fmc_to_wire_direct"]
    stroke = {i.name: (i.target_minutes, i.met_if) for i in load_pathways()["stroke"].intervals}
    assert (25, "le") == stroke["door_to_ct"]
    assert (45, "le") == stroke["door_to_ct_read"]
    assert (60, "le") == stroke["door_to_needle"]
    assert (90, "le") == stroke["door_to_groin"]


def test_the_small_valid_file_parses() -> None:
    """The base document of the refusal tests is itself valid."""
    assert ["mini"] == list(parse_pathways(json.dumps(_valid())))


def _broken(path: list[str | int], value: Any) -> dict[str, Any]:
    """The valid document with the item at ``path`` set to ``value``."""
    doc = copy.deepcopy(_valid())
    target: Any = doc
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    return doc


BASE: list[str | int] = ["pathways", 0]
FIRST: list[str | int] = [*BASE, "intervals", 0]


@pytest.mark.parametrize(
    ("path", "value", "message"),
    [
        ([*BASE, "milestones", 1], "heart_attack", "unknown milestone 'heart_attack'"),
        ([*FIRST, "to"], {"milestone": "first_ekg"}, "unknown milestone 'first_ekg'"),
        (
            [*FIRST, "to"],
            {"milestone": ["ecg_transmitted", "prealert"]},
            "unknown milestone 'prealert'",
        ),
        ([*FIRST, "applies_if"], {"present": ["lysis"]}, "unknown milestone 'lysis'"),
        (
            [*FIRST, "from"],
            {"milestone": "facility_arrival", "facility": "capability:helipad"},
            "unknown capability 'helipad'",
        ),
        (
            [*FIRST, "from"],
            {"milestone": "facility_arrival", "facility": "where:needle"},
            "unknown milestone 'needle'",
        ),
        (
            [*FIRST, "from"],
            {"milestone": "facility_arrival", "facility": "nearest"},
            "facility selector 'nearest'",
        ),
        (
            [*FIRST, "from"],
            {"milestone": "facility_arrival", "facility": "leg"},
            "the 'leg' selector goes with per_leg",
        ),
        ([*BASE, "intervals", 1, "per_leg"], False, "the 'leg' selector goes with per_leg"),
        ([*FIRST, "met_if"], "ge", "Input should be 'le' or 'lt'"),
        ([*FIRST, "name"], "Door To Wire", "String should match pattern"),
        ([*FIRST, "target"], 10, "Extra inputs are not permitted"),
        ([*FIRST, "report"], {"compliance_at_least": 75}, "less than or equal to 1"),
        ([*BASE, "receivers"], {"any_capability": ["helipad"]}, "receivers.any_capability.0"),
        ([*BASE, "receivers"], {"any_capability": []}, "any_capability or any_kind"),
        ([*BASE, "receivers"], {"all_of": ["pci"]}, "all_of"),
        ([*BASE, "receivers"], {"any_kind": ["castle"]}, "receivers.any_kind.0"),
    ],
)
def test_a_bad_pathway_is_refused(path: list[str | int], value: Any, message: str) -> None:
    """Unknown milestones, capabilities and selectors, misused 'leg', bad fields, receivers
    outside the vocabulary or none at all: refused."""
    with pytest.raises(ValidationError, match=message):
        _parse(_broken(path, value))


def test_repeated_interval_names_are_refused() -> None:
    """Two intervals of one pathway with the same name: refused, naming the pathway."""
    doc = _valid()
    doc["pathways"][0]["intervals"][1]["name"] = "fmc_to_first_ecg"
    with pytest.raises(ValidationError, match="pathway mini: interval names repeat"):
        _parse(doc)


def test_repeated_pathway_ids_are_refused() -> None:
    """Two pathways with the same id: refused."""
    doc = _valid()
    doc["pathways"].append(copy.deepcopy(doc["pathways"][0]))
    with pytest.raises(ValidationError, match="pathway ids repeat"):
        _parse(doc)


def test_the_shipped_file_with_a_typo_is_refused() -> None:
    """The real file with one milestone misspelt does not load."""
    doc = json.loads(json.dumps([p.model_dump(by_alias=True) for p in load_pathways().values()]))
    doc[0]["intervals"][0]["to"]["milestone"] = "frist_ecg"
    with pytest.raises(ValidationError, match="unknown milestone 'frist_ecg'"):
        _parse({"pathways": doc})


def test_unknown_leg_without_capability_is_refused() -> None:
    """applies_if.leg_without_capability must name a known capability."""
    with pytest.raises(ValidationError, match="unknown capability 'pcii'"):
        _parse(_broken([*BASE, "intervals", 1, "applies_if"], {"leg_without_capability": "pcii"}))


CRITICAL_MATERNAL = """
{"pathways": [{
  "id": "critical_maternal", "name_zh": "危重孕产妇", "name_en": "Critical maternal",
  "receivers": {"any_capability": ["pci_24_7"]},
  "milestones": ["call_received", "unit_on_scene", "first_medical_contact", "prealert_sent",
                 "facility_arrival", "facility_departure", "handover"],
  "intervals": [
    {"name": "call_to_first_door", "label_zh": "接警至首家医院入门",
     "label_en": "Call to the first facility's door",
     "from": {"milestone": "call_received"},
     "to": {"milestone": "facility_arrival", "facility": "first"},
     "target_minutes": 45, "met_if": "le"},
    {"name": "prealert_to_door", "label_zh": "预警至入门", "label_en": "Pre-alert to door",
     "from": {"milestone": "prealert_sent"},
     "to": {"milestone": "facility_arrival", "facility": "capability:pci_24_7"},
     "target_minutes": 20, "met_if": "lt"},
    {"name": "transfer_dido", "label_zh": "转出医院入门至出门", "label_en": "DIDO before transfer",
     "from": {"milestone": "facility_arrival", "facility": "leg"},
     "to": {"milestone": "facility_departure", "facility": "leg"},
     "per_leg": true, "target_minutes": 30}
  ]
}]}
"""


def test_a_new_pathway_is_data_only() -> None:
    """A critical-maternal pathway written as JSON parses and computes its intervals."""
    maternal = parse_pathways(CRITICAL_MATERNAL)["critical_maternal"]
    caps = {"township": frozenset({"ecg12"}), "city": frozenset({"pci", "pci_24_7"})}
    stamps = [
        Stamp(1, "call_received", datetime(2025, 3, 14, 23, 30, tzinfo=SHANGHAI)),
        Stamp(2, "facility_arrival", datetime(2025, 3, 14, 15, 58, tzinfo=UTC), "township"),
        Stamp(3, "prealert_sent", datetime(2025, 3, 15, 0, 10, tzinfo=SHANGHAI)),
        Stamp(4, "facility_departure", datetime(2025, 3, 15, 0, 20, tzinfo=SHANGHAI), "township"),
        Stamp(5, "facility_arrival", datetime(2025, 3, 15, 1, 0, tzinfo=SHANGHAI), "city"),
    ]
    results = compute_intervals(maternal, stamps, caps)
    assert [
        ("call_to_first_door", 28.0, True, "township"),  # 23:30 → 23:58
        ("prealert_to_door", 50.0, False, "city"),  # 00:10 → 01:00
        ("transfer_dido", 22.0, True, "township"),  # 23:58 → 00:20
        ("transfer_dido", None, None, "city"),  # still inside, no door-out
    ] == [(r.name, r.minutes, r.met, r.facility_id) for r in results]


def test_a_per_leg_interval_uses_its_own_endpoints() -> None:
    """A per-leg 'door to ECG' (door-in → first ECG at that leg) is not door-in → door-out."""
    doc = json.loads(CRITICAL_MATERNAL)
    doc["pathways"][0]["milestones"].append("first_ecg")
    doc["pathways"][0]["intervals"] = [
        {
            "name": "door_to_ecg",
            "label_zh": "入门至心电图",
            "label_en": "Door to ECG",
            "from": {"milestone": "facility_arrival", "facility": "leg"},
            "to": {"milestone": "first_ecg", "facility": "leg"},
            "per_leg": True,
            "target_minutes": 10,
        }
    ]
    pathway = parse_pathways(json.dumps(doc))["critical_maternal"]
    stamps = [
        Stamp(1, "facility_arrival", datetime(2025, 3, 14, 23, 0, tzinfo=SHANGHAI), "township"),
        Stamp(2, "first_ecg", datetime(2025, 3, 14, 23, 6, tzinfo=SHANGHAI), "township"),
        Stamp(3, "facility_departure", datetime(2025, 3, 14, 23, 40, tzinfo=SHANGHAI), "township"),
    ]
    results = compute_intervals(pathway, stamps, {"township": frozenset()})
    assert [6.0] == [r.minutes for r in results]


def test_a_pathway_without_receivers_is_refused() -> None:
    """Every pathway says who may receive its alerts: leaving 'receivers' out is refused."""
    doc = _valid()
    del doc["pathways"][0]["receivers"]
    with pytest.raises(ValidationError, match="receivers\n  Field required"):
        _parse(doc)


def _with_own_milestone(**milestone: Any) -> dict[str, Any]:
    doc = _valid()
    doc["milestones"] = [
        {"name": "blood_ready", "label_zh": "备血完成", "label_en": "Blood ready", **milestone}
    ]
    doc["pathways"][0]["milestones"].append("blood_ready")
    doc["pathways"][0]["intervals"].append(
        {
            "name": "door_to_blood",
            "label_zh": "入门至备血",
            "label_en": "Door to blood",
            "from": {"milestone": "facility_arrival", "facility": "where:blood_ready"},
            "to": {"milestone": "blood_ready"},
            "target_minutes": 30,
        }
    )
    return doc


def test_a_pathway_file_may_define_its_own_milestones() -> None:
    """Issue 16 (five centres as data): a milestone the file defines may be used by its
    pathways (list, endpoints, selectors); an undefined one, or one redefining a core
    milestone, is refused."""
    _parse(_with_own_milestone(in_facility=True, stamped_by=["hospital"]))
    undefined = _with_own_milestone()
    undefined["milestones"] = []
    with pytest.raises(ValidationError, match="unknown milestone 'blood_ready'"):
        _parse(undefined)
    shadow = _with_own_milestone()
    shadow["milestones"][0]["name"] = "first_ecg"
    with pytest.raises(ValidationError, match="core milestone"):
        _parse(shadow)
    with pytest.raises(ValidationError, match="stamped_by"):
        _parse(_with_own_milestone(stamped_by=["dispatcher"]))


def test_receivers_by_facility_kind() -> None:
    """A pathway's alerts may go to facilities of a kind: its receivers need ``kind:<kind>``,
    which a facility of that kind offers and another does not; no receiver at all is refused."""
    maternal = load_pathways()["maternal"].receivers.capabilities
    assert maternal & receiver_tokens(["ct"], "county_hospital")
    assert not maternal & receiver_tokens(["ecg12", "thrombolysis"], "township_unit")
    nobody = _valid()
    nobody["pathways"][0]["receivers"] = {}
    with pytest.raises(ValidationError, match="any_capability or any_kind"):
        _parse(nobody)
