"""A 12-lead ECG waveform as the readers' paper needs it: the twelve standard leads in mV,
sampled at one rate, within limits a hostile file cannot stretch (pure, no I/O).

The readers (``waveform_dicom.py``, ``waveform_aecg.py``) name each lead they find and hand
its samples here; ``assemble`` checks the rate, the length and the leads, derives the limb
leads a recorder left out (III, aVR, aVL, aVF follow from I and II, as devices that store
eight leads expect) and gives back a ``Waveform``. What cannot be one raises ``Unreadable``,
whose message says why (the caller turns it into a refused upload).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

Samples = NDArray[np.float64]

LEADS = ("I", "II", "III", "aVR", "aVL", "aVF", "V1", "V2", "V3", "V4", "V5", "V6")
RECORDED = ("I", "II", "V1", "V2", "V3", "V4", "V5", "V6")  # the eight a recorder must hold
# Limits: far beyond any real resting ECG, short of anything that exhausts the server.
MIN_RATE_HZ = 100.0
MAX_RATE_HZ = 2000.0
MIN_SECONDS = 2.5  # one column of the paper
MAX_SECONDS = 60.0
MAX_SAMPLES = int(MAX_RATE_HZ * MAX_SECONDS)  # per lead
MAX_CHANNELS = 16  # channels of a DICOM multiplex group, sequences of an aECG series
MAX_ABS_MV = 100.0  # a sample beyond ±100 mV is no ECG (real ones stay within ±10)

# SCP-ECG and MDC lead codes end in the same number (SCPECG 5.6.3-9-1, MDC 2:1 = lead I).
_CODE_NUMBERS = {
    1: "I", 2: "II", 3: "V1", 4: "V2", 5: "V3", 6: "V4", 7: "V5", 8: "V6",
    61: "III", 62: "aVR", 63: "aVL", 64: "aVF",
}  # fmt: skip
_BY_KEY = {lead.lower(): lead for lead in LEADS}


class Unreadable(ValueError):
    """The file is not a 12-lead ECG waveform we can draw; the message says why."""


@dataclass(frozen=True)
class Waveform:
    """The twelve leads (``LEADS`` order) in mV, all of one length, and the sampling rate."""

    leads: dict[str, Samples]
    rate_hz: float

    @property
    def seconds(self) -> float:
        return len(self.leads["II"]) / self.rate_hz


def lead_name(code: str = "", meaning: str = "") -> str | None:
    """The standard lead a coded channel is ("MDC_ECG_LEAD_AVR", "5.6.3-9-62", "2:62",
    "Lead aVR (Goldberger)" → "aVR"), or None for any other channel."""
    mdc = re.fullmatch(r"MDC_ECG_LEAD_(\w+)", code.strip(), flags=re.IGNORECASE)
    if mdc is not None:
        return _BY_KEY.get(mdc.group(1).lower())
    number = re.fullmatch(r"(?:5\.6\.3-9-|2:)(\d{1,3})", code.strip())
    if number is not None:
        return _CODE_NUMBERS.get(int(number.group(1)))
    words = re.sub(r"\(.*?\)|\blead\b|[\s_-]", "", meaning.lower())
    return _BY_KEY.get(words)


def check_rate(rate_hz: float) -> float:
    if not MIN_RATE_HZ <= rate_hz <= MAX_RATE_HZ:
        raise Unreadable(
            f"is sampled at {rate_hz:g} Hz: an ECG is sampled at {MIN_RATE_HZ:g}"
            f" to {MAX_RATE_HZ:g} Hz"
        )
    return rate_hz


def check_length(samples: int, rate_hz: float) -> None:
    """Refuse a recording too short for one column of paper, or longer than the limits."""
    if samples > MAX_SAMPLES or samples / rate_hz > MAX_SECONDS:
        raise Unreadable(
            f"holds {samples} samples a lead: at most {MAX_SECONDS:g} s"
            f" ({MAX_SAMPLES} samples) are accepted"
        )
    if samples / rate_hz < MIN_SECONDS:
        raise Unreadable(
            f"holds {samples} samples a lead at {rate_hz:g} Hz: too few for"
            f" {MIN_SECONDS:g} s of tracing"
        )


def assemble(found: Mapping[str, Samples], rate_hz: float) -> Waveform:
    """The 12-lead waveform from the leads a reader found (mV), or ``Unreadable``."""
    check_rate(rate_hz)
    missing = [lead for lead in RECORDED if lead not in found]
    if missing:
        held = ", ".join(found) or "none"
        raise Unreadable(
            f"lacks the leads {', '.join(missing)} of a 12-lead ECG (it holds: {held})"
        )
    length = min(len(found[lead]) for lead in found)
    check_length(length, rate_hz)
    leads = {lead: np.asarray(found[lead][:length], dtype=np.float64) for lead in found}
    for lead, samples in leads.items():
        if not np.all(np.isfinite(samples)) or float(np.max(np.abs(samples))) > MAX_ABS_MV:
            raise Unreadable(f"has lead {lead} beyond ±{MAX_ABS_MV:g} mV: not an ECG in mV")
    one, two = leads["I"], leads["II"]
    derived = {
        "III": two - one,
        "aVR": -(one + two) / 2,
        "aVL": one - two / 2,
        "aVF": two - one / 2,
    }
    complete = {**derived, **leads}  # a recorded lead wins over its derivation
    return Waveform({lead: complete[lead] for lead in LEADS}, rate_hz)
