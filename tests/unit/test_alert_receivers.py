"""Who may receive a pathway's alert comes from the pathway data, through the app's CaseLink."""

from __future__ import annotations

import json

import pytest

from alerts.exceptions import AlertRejected
from alerts.service import check_receiver
from dispatch.cases.alert_link import case_link, receivers_from
from dispatch.cases.hooks import CaseHooks
from dispatch.cases.pathways import load_pathways, parse_pathways
from dispatch.reports import readmodel

# A pathway written as data only: no code names it anywhere.
BURNS = {
    "pathways": [
        {
            "id": "burns",
            "name_zh": "严重烧伤",
            "name_en": "Major burns",
            "receivers": {"any_capability": ["ct", "pci_24_7"]},
            "milestones": ["call_received", "unit_on_scene", "prealert_sent", "facility_arrival"],
            "intervals": [
                {
                    "name": "call_to_scene",
                    "label_zh": "接警至到达现场",
                    "label_en": "Call to unit on scene",
                    "from": {"milestone": "call_received"},
                    "to": {"milestone": "unit_on_scene"},
                    "target_minutes": 15,
                }
            ],
        }
    ]
}


def test_the_shipped_pathways_receivers() -> None:
    """STEMI, chest pain, stroke and trauma alerts need the capabilities their data names."""
    receivers = case_link(CaseHooks((readmodel.on_stamp,))).receivers
    assert frozenset({"pci"}) == receivers("stemi")
    assert frozenset({"pci", "thrombolysis"}) == receivers("chest_pain")
    assert frozenset({"stroke_thrombolysis", "thrombectomy"}) == receivers("stroke")
    assert frozenset({"ct"}) == receivers("trauma")  # added as data only
    assert None is receivers("cardiac")


def test_a_pathway_added_as_data_gets_its_receivers_from_the_data() -> None:
    """A new pathway's alerts go where its 'receivers' say, and nowhere else."""
    pathways = parse_pathways(json.dumps(BURNS, ensure_ascii=False))
    needed = receivers_from(lambda: pathways)("burns")
    assert frozenset({"ct", "pci_24_7"}) == needed
    check_receiver("burns", needed, "city-hospital", ["ct", "pci", "thrombectomy"])
    with pytest.raises(AlertRejected, match="th-nandun cannot receive a burns alert: it needs one"):
        check_receiver("burns", needed, "th-nandun", ["ecg12", "ecg_transmit"])


def test_an_alert_of_an_unknown_pathway_is_refused() -> None:
    """No pathway data, no receiver: the alert is refused, not sent anywhere."""
    with pytest.raises(AlertRejected, match="unknown pathway 'cardiac'"):
        check_receiver("cardiac", None, "county-hospital", ["pci"])


def test_every_pathway_states_its_receivers() -> None:
    """Each shipped pathway has at least one receiving capability or facility kind."""
    assert all(p.receivers.capabilities for p in load_pathways().values())
