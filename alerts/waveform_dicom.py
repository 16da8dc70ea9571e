"""A DICOM 12-lead ECG waveform object (SOP class 1.2.840.10008.5.1.4.1.1.9.1.1) read as a
``Waveform`` (pure, no I/O): the channels of its first multiplex group named by their source
codes, scaled by their sensitivity (µV or mV) to mV.

Nothing but a 12-lead ECG waveform passes: another SOP class (a CT slice, a general ECG) is
refused by name, and the group's declared counts must match its data before it is decoded,
within the limits of ``waveforms.py``.
"""

from __future__ import annotations

import io
import struct
from typing import Any

import numpy as np
from pydicom import dcmread
from pydicom.errors import InvalidDicomError

from alerts.waveforms import (
    MAX_CHANNELS,
    Samples,
    Unreadable,
    Waveform,
    assemble,
    check_length,
    check_rate,
    lead_name,
)

TWELVE_LEAD_ECG = "1.2.840.10008.5.1.4.1.1.9.1.1"
MAX_GROUPS = 5  # the 12-lead ECG IOD allows up to five multiplex groups
# (bits allocated, sample interpretation) → the sample's numpy type (little endian)
_DTYPES = {(8, "SB"): "i1", (16, "SS"): "<i2", (32, "SL"): "<i4"}
# Channel Sensitivity Units (UCUM) → mV per unit
_TO_MV = {"uV": 1e-3, "mV": 1.0, "V": 1e3}
_BROKEN = (
    InvalidDicomError,
    EOFError,
    ValueError,
    KeyError,
    TypeError,
    AttributeError,
    IndexError,
    OverflowError,
    RecursionError,
    NotImplementedError,
    struct.error,
)


def read_dicom(content: bytes) -> Waveform:
    """The 12-lead waveform of a DICOM file, or ``Unreadable`` saying why it is none."""
    try:
        dataset = dcmread(io.BytesIO(content))
        sop_class = dataset.get("SOPClassUID")
        if sop_class is None:
            raise Unreadable("names no SOP class: it is no 12-lead ECG waveform")
        if str(sop_class) != TWELVE_LEAD_ECG:
            name = getattr(sop_class, "name", "") or "unknown"
            raise Unreadable(f"is a DICOM {name} object ({sop_class}), not a 12-lead ECG waveform")
        groups = dataset.get("WaveformSequence") or []
        if not groups:
            raise Unreadable("holds no waveform (no Waveform Sequence: a truncated file?)")
        if len(groups) > MAX_GROUPS:
            raise Unreadable(f"has {len(groups)} waveform multiplex groups: 1 to {MAX_GROUPS}")
        return _group(groups[0])
    except Unreadable:
        raise
    except _BROKEN as exc:
        raise Unreadable(f"does not decode as one ({type(exc).__name__})") from exc


def _group(group: Any) -> Waveform:
    channels = int(group.NumberOfWaveformChannels)
    samples = int(group.NumberOfWaveformSamples)
    rate_hz = float(group.SamplingFrequency)
    if not 1 <= channels <= MAX_CHANNELS:
        raise Unreadable(f"has {channels} channels in a group: 1 to {MAX_CHANNELS}")
    definitions = list(group.ChannelDefinitionSequence)
    if len(definitions) != channels:
        raise Unreadable(f"defines {len(definitions)} channels but declares {channels}")
    dtype = _DTYPES.get((int(group.WaveformBitsAllocated), str(group.WaveformSampleInterpretation)))
    if dtype is None:
        raise Unreadable("stores its samples in a form other than signed 8, 16 or 32 bits")
    data = bytes(group.WaveformData)
    expected = channels * samples * np.dtype(dtype).itemsize
    if samples < 1 or len(data) < expected:
        raise Unreadable(f"holds {len(data)} bytes of samples where {expected} are declared")
    check_length(samples, check_rate(rate_hz))
    raw = np.frombuffer(data[:expected], dtype=dtype).reshape(samples, channels)
    found: dict[str, Samples] = {}
    for index, channel in enumerate(definitions):
        lead = _lead(channel)
        if lead is not None and lead not in found:
            found[lead] = _in_mv(raw[:, index], channel, lead)
    return assemble(found, rate_hz)


def _lead(channel: Any) -> str | None:
    sources = channel.get("ChannelSourceSequence") or []
    if not sources:
        return None
    source = sources[0]
    return lead_name(str(source.get("CodeValue", "")), str(source.get("CodeMeaning", "")))


def _in_mv(raw: Any, channel: Any, lead: str) -> Samples:
    units = channel.get("ChannelSensitivityUnitsSequence") or []
    unit = str(units[0].get("CodeValue", "")) if units else ""
    if unit not in _TO_MV:
        raise Unreadable(f"gives lead {lead} in {unit or 'no unit'}: µV or mV are drawn")
    sensitivity = float(channel.get("ChannelSensitivity", 1.0))
    correction = float(channel.get("ChannelSensitivityCorrectionFactor", 1.0))
    baseline = float(channel.get("ChannelBaseline", 0.0))
    scaled = raw.astype(np.float64) * sensitivity * correction + baseline
    return np.asarray(scaled * _TO_MV[unit], dtype=np.float64)
