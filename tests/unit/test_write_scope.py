"""The write scope (dispatch/cases/write_scope.py): each role x {own, other facility} x
{pre-hospital, dispatch, hospital milestone}, transfers, corrections of closed cases, reopening."""

from __future__ import annotations

import pytest

from dispatch.cases.milestones import MILESTONES
from dispatch.cases.write_scope import (
    DISPATCH_MILESTONES,
    PRE_HOSPITAL_MILESTONES,
    CaseParties,
    check_correction,
    check_reopen,
    check_stamp,
    check_transfer,
    holding_facilities,
)
from units.exceptions import Forbidden
from units.models import User

NANDUN, DINGJI, COUNTY = "th-nandun", "th-dingji", "county-hospital"
# A Nandun patient on amb-05, sent to the county: both facilities are parties, Nandun holds.
CASE = CaseParties(
    ambulance_id="amb-05", facilities=frozenset({NANDUN, COUNTY}), holding=frozenset({NANDUN})
)
USERS = {
    "admin": User(username="admin", role="admin"),
    "data-manager": User(username="data-manager", role="data_manager"),
    "dispatcher": User(username="dispatcher", role="dispatcher"),
    "auditor": User(username="auditor", role="auditor"),
    "crew-amb-05": User(username="crew-amb-05", role="crew", ambulance_id="amb-05"),
    "crew-amb-01": User(username="crew-amb-01", role="crew", ambulance_id="amb-01"),
    "township-th-nandun": User(username="township-th-nandun", role="township", facility_id=NANDUN),
    "township-th-dingji": User(username="township-th-dingji", role="township", facility_id=DINGJI),
    "cathlab-county-hospital": User(
        username="cathlab-county-hospital", role="cathlab", facility_id=COUNTY
    ),
}


def allowed(user: str, milestone: str, facility: str | None, case: CaseParties = CASE) -> bool:
    try:
        check_stamp(USERS[user], case, milestone, facility)
    except Forbidden:
        return False
    return True


@pytest.mark.parametrize(
    ("user", "milestone", "facility", "expected"),
    [
        # the facility's own team: any milestone at its own facility, none at another
        ("township-th-nandun", "first_ecg", NANDUN, True),
        ("township-th-nandun", "first_ecg", None, True),  # at its own (no facility named)
        ("township-th-nandun", "thrombolysis_start", NANDUN, True),
        ("township-th-nandun", "facility_departure", NANDUN, True),
        ("township-th-nandun", "first_ecg", COUNTY, False),
        ("township-th-nandun", "facility_arrival", COUNTY, False),  # finding 4
        ("township-th-nandun", "wire_crossing", COUNTY, False),  # finding 4
        ("township-th-dingji", "first_ecg", DINGJI, False),  # its facility is not on the case
        ("township-th-dingji", "first_ecg", None, False),
        ("cathlab-county-hospital", "wire_crossing", COUNTY, True),
        ("cathlab-county-hospital", "facility_arrival", COUNTY, True),
        ("cathlab-county-hospital", "diagnosis", None, True),  # the ECG centre's reading
        ("cathlab-county-hospital", "first_ecg", NANDUN, False),
        ("cathlab-county-hospital", "facility_departure", NANDUN, False),
        # the crew assigned: pre-hospital milestones only
        ("crew-amb-05", "first_ecg", None, True),
        ("crew-amb-05", "unit_on_scene", None, True),
        ("crew-amb-05", "facility_arrival", COUNTY, True),  # its door-in at the destination
        ("crew-amb-05", "handover", None, True),
        ("crew-amb-05", "wire_crossing", COUNTY, False),
        ("crew-amb-05", "cathlab_arrival", None, False),
        ("crew-amb-05", "facility_departure", NANDUN, False),
        ("crew-amb-01", "first_ecg", None, False),  # not the crew of this case
        # dispatch: dispatch milestones only
        ("dispatcher", "call_received", None, True),
        ("dispatcher", "unit_notified", None, True),
        ("dispatcher", "first_ecg", None, False),
        ("dispatcher", "facility_arrival", COUNTY, False),
        ("dispatcher", "wire_crossing", COUNTY, False),
        # admin and data manager: anything anywhere; the auditor: nothing
        ("admin", "wire_crossing", COUNTY, True),
        ("admin", "first_ecg", DINGJI, True),
        ("data-manager", "wire_crossing", COUNTY, True),
        ("data-manager", "call_received", None, True),
        ("auditor", "first_ecg", None, False),
        ("auditor", "call_received", None, False),
    ],
)
def test_who_stamps_what_where(
    user: str, milestone: str, facility: str | None, expected: bool
) -> None:
    assert expected == allowed(user, milestone, facility)


def test_the_milestone_groups_are_in_the_vocabulary() -> None:
    """Every dispatch and pre-hospital milestone is a milestone; hospital ones are in neither."""
    assert DISPATCH_MILESTONES <= set(MILESTONES)
    assert PRE_HOSPITAL_MILESTONES <= set(MILESTONES)
    hospital = {"cathlab_activated", "cathlab_ready", "cathlab_arrival", "ed_arrival"}
    hospital |= {"ct_start", "ct_read", "arterial_puncture", "wire_crossing", "recanalization"}
    assert not hospital & (DISPATCH_MILESTONES | PRE_HOSPITAL_MILESTONES)
    assert "facility_departure" not in PRE_HOSPITAL_MILESTONES  # the facility's own door-out


@pytest.mark.parametrize("milestone", sorted(set(MILESTONES) - DISPATCH_MILESTONES))
def test_a_dispatcher_records_no_clinical_milestone(milestone: str) -> None:
    assert not allowed("dispatcher", milestone, None)


@pytest.mark.parametrize("milestone", sorted(set(MILESTONES) - PRE_HOSPITAL_MILESTONES))
def test_the_crew_records_no_hospital_milestone(milestone: str) -> None:
    assert not allowed("crew-amb-05", milestone, None)


@pytest.mark.parametrize(
    ("user", "expected"),
    [
        ("dispatcher", True),
        ("admin", True),
        ("data-manager", True),
        ("crew-amb-05", True),
        ("township-th-nandun", True),  # it holds the patient
        ("cathlab-county-hospital", False),  # a party, but the patient is not there yet
        ("crew-amb-01", False),
        ("township-th-dingji", False),
        ("auditor", False),
    ],
)
def test_who_transfers(user: str, expected: bool) -> None:
    try:
        check_transfer(USERS[user], CASE)
    except Forbidden:
        assert not expected
    else:
        assert expected


@pytest.mark.parametrize(
    ("user", "closed", "expected"),
    [
        ("data-manager", True, True),
        ("admin", True, True),
        ("dispatcher", True, False),
        ("township-th-nandun", True, False),
        ("cathlab-county-hospital", True, False),
        ("township-th-nandun", False, True),  # an open case: the stamp's own scope decides
    ],
)
def test_who_corrects_a_closed_case(user: str, closed: bool, expected: bool) -> None:
    case = CaseParties(CASE.ambulance_id, CASE.facilities, CASE.holding, closed=closed)
    try:
        check_correction(USERS[user], case)
    except Forbidden:
        assert not expected
    else:
        assert expected


@pytest.mark.parametrize(
    ("user", "expected"),
    [
        ("dispatcher", True),
        ("admin", True),
        ("data-manager", False),
        ("township-th-nandun", False),
        ("cathlab-county-hospital", False),
        ("crew-amb-05", False),
        ("auditor", False),
    ],
)
def test_only_dispatch_or_admin_reopen(user: str, expected: bool) -> None:
    try:
        check_reopen(USERS[user])
    except Forbidden:
        assert not expected
    else:
        assert expected


def test_who_holds_the_patient() -> None:
    """The open leg's facility; else the opening facility while no door was stamped."""
    assert {NANDUN} == holding_facilities(NANDUN, True, COUNTY)
    assert {COUNTY} == holding_facilities(None, False, COUNTY)
    assert set() == holding_facilities(None, True, COUNTY)  # left its door: with the crew
    assert set() == holding_facilities(None, False, None)
