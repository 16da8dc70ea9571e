"""Who may record which milestone at which facility on which case, who brings a facility into
a case, and who corrects or reopens a closed one (issue 12, finding 4 and 5). Pure checks on the
user and facts about the case; the service gathers the facts.

A stamp at facility X comes from X's own team (township or cath-lab users of X), from the crew
assigned to the case for the pre-hospital milestones, or from dispatch for the dispatch
milestones; admins and data managers (质控员) record any milestone at any facility. Reading is
``dispatch.cases.scope``'s business.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

from dispatch.cases.pathways import defined_milestones
from units import scope as units_scope
from units.exceptions import Forbidden
from units.models import User
from units.vocabulary import FACILITY_ROLES, RECORD_ANYWHERE_ROLES, Role

# The 120 centre's own times (docs/domain.md, "Milestones"): the call and the unit's eTimes, which
# a dispatcher also records when setting an ambulance's status, and the onset the caller reports.
DISPATCH_MILESTONES = frozenset(
    {
        "symptom_onset",
        "call_received",
        "unit_notified",
        "unit_en_route",
        "unit_on_scene",
        "unit_left_scene",
        "unit_available",
    }
)
# What the ambulance's crew records, from the call to handing the patient over: its eTimes, the
# patient contact and ECG, the reading and critical value of its doctor, the pre-alert,
# pre-hospital thrombolysis, and the door-in and handover at the destination.
PRE_HOSPITAL_MILESTONES = frozenset(
    {
        "symptom_onset",
        "unit_en_route",
        "unit_on_scene",
        "first_medical_contact",
        "first_ecg",
        "ecg_transmitted",
        "diagnosis",
        "critical_value_reported",
        "prealert_sent",
        "thrombolysis_start",
        "unit_left_scene",
        "facility_arrival",
        "handover",
        "unit_available",
    }
)
# Bring a new facility into a case (a transfer, a destination) whatever holds the patient.
TRANSFER_ANYWHERE_ROLES = frozenset({Role.dispatcher, *RECORD_ANYWHERE_ROLES})
# Reopen a closed case.
REOPENERS = frozenset({Role.dispatcher, Role.admin})
# Correct the stamps of a closed case.
CLOSED_CORRECTORS = RECORD_ANYWHERE_ROLES


@dataclass(frozen=True)
class CaseParties:
    """What the write checks need to know about a case.

    ``facilities``: the facilities that are parties of the case (where it was opened, its
    destination, the facilities it was transferred to, the doors it went through);
    ``holding``: the facilities that hold the patient now (the open leg, or the facility that
    opened a case no door was stamped on yet); ``ambulance_id``: the ambulance assigned.
    """

    ambulance_id: str | None
    facilities: frozenset[str]
    holding: frozenset[str]
    closed: bool = False


def crew_stamps(milestone: str) -> bool:
    """A milestone the pathway file gives the crew a button for (a pre-hospital time)."""
    defined = defined_milestones().get(milestone)
    return defined is not None and "crew" in defined.stamped_by


def _is_crew_of(user: User, case: CaseParties) -> bool:
    return units_scope.of_ambulance(user, case.ambulance_id)


def _team_of(user: User) -> str | None:
    return user.facility_id if user.role in FACILITY_ROLES else None


def check_stamp(user: User, case: CaseParties, milestone: str, facility_id: str | None) -> None:
    """Forbidden unless the user may record ``milestone`` at ``facility_id`` (None: no
    facility) on the case."""
    if user.role in RECORD_ANYWHERE_ROLES:
        return
    if user.role == Role.dispatcher:
        if milestone in DISPATCH_MILESTONES:
            return
        raise Forbidden(
            f"a dispatcher records only the dispatch milestones, not {milestone}"
            f" ({', '.join(sorted(DISPATCH_MILESTONES))})"
        )
    if user.role == Role.crew:
        if not _is_crew_of(user, case):
            raise Forbidden("only the crew assigned to this case records its pre-hospital times")
        if milestone in PRE_HOSPITAL_MILESTONES or crew_stamps(milestone):
            return
        where = f" at {facility_id}" if facility_id else ""
        raise Forbidden(
            f"the crew records only pre-hospital milestones, not {milestone}{where}:"
            " the facility's own team records it"
        )
    team = _team_of(user)
    if team is not None:
        if team not in case.facilities:
            raise Forbidden("this case does not concern your facility")
        if facility_id is None or facility_id == team:
            return
        raise Forbidden(
            f"a stamp at {facility_id} comes from {facility_id}'s own team, not from {team}"
        )
    raise Forbidden(f"the {user.role} role records no time stamps")


def check_correction(user: User, case: CaseParties) -> None:
    """On a closed case only a data manager (or an admin) corrects a stamp."""
    if case.closed and user.role not in CLOSED_CORRECTORS:
        raise Forbidden(
            "this case is closed: only a data manager (质控员) or an admin corrects its stamps"
        )


def check_transfer(user: User, case: CaseParties) -> None:
    """Forbidden unless the user may bring a new facility into the case: dispatch, an admin, a
    data manager, the assigned crew, or the team of the facility that holds the patient."""
    if user.role in TRANSFER_ANYWHERE_ROLES or _is_crew_of(user, case):
        return
    team = _team_of(user)
    if team is not None and team in case.holding:
        return
    raise Forbidden(
        f"the {user.role} role may not transfer this patient: dispatch, the assigned crew or"
        " the facility holding the patient transfers"
    )


def check_reopen(user: User) -> None:
    """Only a dispatcher or an admin reopens a closed case."""
    if user.role not in REOPENERS:
        raise Forbidden(f"only a dispatcher or an admin reopens a case, not the {user.role} role")


def holding_facilities(
    open_leg: str | None, any_leg: bool, created_facility_id: str | None
) -> frozenset[str]:
    """Who holds the patient: the facility of the open leg, else the facility that opened a
    case no door was stamped on yet."""
    if open_leg is not None:
        return frozenset({open_leg})
    if not any_leg and created_facility_id is not None:
        return frozenset({created_facility_id})
    return frozenset()


def parties(named: Collection[str | None]) -> frozenset[str]:
    """The non-empty facility ids."""
    return frozenset(f for f in named if f)
