"""The one vocabulary of time stamps (docs/domain.md, "Milestones"), aligned with NEMSIS v3
eTimes where one exists."""

from __future__ import annotations

# In the order they normally happen; a stamp earlier than one listed before it is flagged.
MILESTONES: tuple[str, ...] = (
    "symptom_onset",
    "call_received",  # eTimes.01
    "unit_notified",  # eTimes.03
    "unit_en_route",  # eTimes.05
    "unit_on_scene",  # eTimes.06
    "first_medical_contact",  # eTimes.07 at the patient, or the first facility's door (walk-in)
    "first_ecg",
    "ecg_transmitted",
    "diagnosis",
    "critical_value_reported",
    "prealert_sent",
    "thrombolysis_start",
    "unit_left_scene",  # eTimes.09
    "facility_arrival",  # door-in (with the facility)
    "facility_departure",  # door-out (with the facility)
    "cathlab_activated",
    "cathlab_ready",
    "ed_arrival",  # absent: the patient bypassed the ED
    "ccu_arrival",  # absent: the patient bypassed the CCU
    "troponin_drawn",  # POCT troponin: blood drawn
    "troponin_result",  # POCT troponin: result known
    "cathlab_arrival",
    "ct_start",
    "ct_read",
    "arterial_puncture",
    "wire_crossing",
    "recanalization",
    "handover",  # eTimes.12
    "unit_available",  # eTimes.13
)
MILESTONE_SET = frozenset(MILESTONES)
# Stamps that only mean something with the facility they happened at.
FACILITY_MILESTONES = frozenset({"facility_arrival", "facility_departure"})
# Stamps that happen inside a facility: they take the patient's current facility if none is given.
IN_FACILITY_MILESTONES = frozenset(
    {
        "ed_arrival",
        "ccu_arrival",
        "troponin_drawn",
        "troponin_result",
        "cathlab_arrival",
        "cathlab_activated",
        "cathlab_ready",
        "ct_start",
        "ct_read",
        "arterial_puncture",
        "wire_crossing",
        "recanalization",
        "thrombolysis_start",
    }
)
# Milestones stamped by the assigned ambulance's status changes: entering a status stamps the
# first list; leaving ``at_destination`` (the crew hands the patient over, then leaves) stamps
# ``handover``. Arriving at the destination also stamps its door-in (facility_arrival).
STATUS_MILESTONES: dict[str, tuple[str, ...]] = {
    "dispatched": ("unit_notified",),
    "en_route": ("unit_en_route",),
    "on_scene": ("unit_on_scene",),
    "transporting": ("unit_left_scene",),
    "at_destination": ("facility_arrival",),
    "available": ("unit_available",),
}
LEAVING_MILESTONES: dict[str, tuple[str, ...]] = {"at_destination": ("handover",)}

# Pairs (a, b): a stamp of ``a`` should not be later than one of ``b`` on the same case.
# Only pairs that always hold are listed (a walk-in meets a facility before its first ECG, an
# ambulance patient after it, so facility doors are ordered only within their own leg).
PRECEDES: tuple[tuple[str, str], ...] = (
    ("call_received", "unit_notified"),
    ("unit_notified", "unit_en_route"),
    ("unit_en_route", "unit_on_scene"),
    ("unit_on_scene", "unit_left_scene"),
    ("first_medical_contact", "first_ecg"),
    ("first_ecg", "ecg_transmitted"),
    ("first_ecg", "diagnosis"),
    ("cathlab_activated", "cathlab_ready"),
    ("cathlab_arrival", "arterial_puncture"),
    ("arterial_puncture", "wire_crossing"),
    ("ct_start", "ct_read"),
    ("troponin_drawn", "troponin_result"),
    ("handover", "unit_available"),
    *(("symptom_onset", m) for m in MILESTONES if m != "symptom_onset"),
)
