"""The ambulance status state machine (pure)."""

from __future__ import annotations

import itertools

from units.vocabulary import AMBULANCE_STATUSES, STATUS_TRANSITIONS, allowed_transitions


def test_every_status_has_transitions_to_known_statuses() -> None:
    """Every status has its allowed moves, and they name only known statuses."""
    assert set(AMBULANCE_STATUSES) == set(STATUS_TRANSITIONS)
    for targets in STATUS_TRANSITIONS.values():
        assert set(targets) <= set(AMBULANCE_STATUSES)


def test_a_whole_call_is_a_legal_path() -> None:
    """available → dispatched → … → returning → available follows only legal moves."""
    path = [
        "available",
        "dispatched",
        "en_route",
        "on_scene",
        "transporting",
        "at_destination",
        "returning",
        "available",
    ]
    assert all(b in allowed_transitions(a) for a, b in itertools.pairwise(path))


def test_every_status_can_reach_out_of_service_and_come_back() -> None:
    """A breakdown is possible from anywhere, and out of service returns only to available."""
    assert all(
        "out_of_service" in allowed_transitions(s)
        for s in AMBULANCE_STATUSES
        if s != "out_of_service"
    )
    assert ("available",) == allowed_transitions("out_of_service")


def test_transporting_cannot_jump_back_to_available() -> None:
    """With a patient on board the unit cannot simply become available."""
    assert "available" not in allowed_transitions("transporting")
