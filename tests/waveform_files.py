"""Synthetic 12-lead ECG waveform files for the tests (generated here, never a patient's): a
DICOM 12-lead ECG waveform object written with pydicom, an HL7 aECG XML, and files that claim
to be one of them but are not (a CT slice, an aECG with an external entity)."""

from __future__ import annotations

import io
from functools import cache

import numpy as np
from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.uid import ExplicitVRLittleEndian, generate_uid

from tests.browser.ecg import beat

LEADS = ("I", "II", "III", "aVR", "aVL", "aVF", "V1", "V2", "V3", "V4", "V5", "V6")
# SCP-ECG lead codes (5.6.3-9-n) and the matching MDC names
SCPECG = {"I": 1, "II": 2, "V1": 3, "V2": 4, "V3": 5, "V4": 6, "V5": 7, "V6": 8,
          "III": 61, "aVR": 62, "aVL": 63, "aVF": 64}  # fmt: skip
TWELVE_LEAD = "1.2.840.10008.5.1.4.1.1.9.1.1"
CT_IMAGE = "1.2.840.10008.5.1.4.1.1.2"
UV_PER_UNIT = 2.5  # the channel sensitivity: one stored unit is 2.5 µV


def synthetic_leads(rate_hz: int = 500, seconds: float = 10.0) -> dict[str, np.ndarray]:
    """Twelve leads of a synthetic sinus rhythm at 75/min in mV (lead i scaled a little so
    the leads differ; V2-V4 with 2-3 mm ST elevation)."""
    t = np.arange(int(rate_hz * seconds)) / rate_hz
    phase = np.mod(t, 0.8)
    leads = {}
    for index, lead in enumerate(LEADS):
        st_mm = 2.5 if lead in ("V2", "V3", "V4") else 0.0
        sign = -1.0 if lead == "aVR" else 1.0
        leads[lead] = sign * (0.6 + 0.05 * index) * beat(phase, st_mm)
    return leads


def _channel(lead: str) -> Dataset:
    source = Dataset()
    source.CodeValue = f"5.6.3-9-{SCPECG[lead]}"
    source.CodingSchemeDesignator = "SCPECG"
    source.CodingSchemeVersion = "1.3"
    source.CodeMeaning = f"Lead {lead}"
    unit = Dataset()
    unit.CodeValue = "uV"
    unit.CodingSchemeDesignator = "UCUM"
    unit.CodeMeaning = "microvolt"
    channel = Dataset()
    channel.ChannelSourceSequence = [source]
    channel.ChannelSensitivity = str(UV_PER_UNIT)
    channel.ChannelSensitivityUnitsSequence = [unit]
    channel.ChannelSensitivityCorrectionFactor = "1"
    channel.ChannelBaseline = "0"
    channel.ChannelTimeSkew = "0"
    channel.WaveformBitsStored = 16
    return channel


def _dicom(sop_class: str, modality: str, waveform: Dataset | None) -> bytes:
    meta = FileMetaDataset()
    meta.MediaStorageSOPClassUID = sop_class
    meta.MediaStorageSOPInstanceUID = generate_uid()
    meta.TransferSyntaxUID = ExplicitVRLittleEndian
    dataset = Dataset()
    dataset.file_meta = meta
    dataset.SOPClassUID = sop_class
    dataset.SOPInstanceUID = meta.MediaStorageSOPInstanceUID
    dataset.Modality = modality
    dataset.PatientName = "SYNTHETIC^TEST"
    dataset.PatientID = "SYNTHETIC-0001"
    if waveform is not None:
        dataset.WaveformSequence = [waveform]
    else:  # a CT slice's image header, with a tiny image
        dataset.Rows = dataset.Columns = 4
        dataset.BitsAllocated = dataset.BitsStored = 16
        dataset.HighBit = 15
        dataset.PixelRepresentation = 1
        dataset.SamplesPerPixel = 1
        dataset.PhotometricInterpretation = "MONOCHROME2"
        dataset.PixelData = bytes(32)
    buffer = io.BytesIO()
    dataset.save_as(buffer, enforce_file_format=True)
    return buffer.getvalue()


def dicom_ecg(
    leads: dict[str, np.ndarray] | None = None, rate_hz: int = 500, seconds: float = 10.0
) -> bytes:
    """A DICOM 12-lead ECG waveform object: one multiplex group of 12 channels, signed
    16-bit samples of 2.5 µV (``leads`` in mV, else the synthetic rhythm)."""
    leads = leads if leads is not None else synthetic_leads(rate_hz, seconds)
    names = list(leads)
    samples = np.column_stack([np.round(leads[n] * 1000 / UV_PER_UNIT) for n in names])
    group = Dataset()
    group.MultiplexGroupTimeOffset = "0"
    group.WaveformOriginality = "ORIGINAL"
    group.NumberOfWaveformChannels = len(names)
    group.NumberOfWaveformSamples = len(samples)
    group.SamplingFrequency = str(rate_hz)
    group.MultiplexGroupLabel = "RHYTHM"
    group.ChannelDefinitionSequence = [_channel(n) for n in names]
    group.WaveformBitsAllocated = 16
    group.WaveformSampleInterpretation = "SS"
    group.WaveformData = samples.astype("<i2").tobytes()
    return _dicom(TWELVE_LEAD, "ECG", group)


@cache
def dicom_12_lead() -> bytes:
    """The synthetic 12-lead ECG (500 Hz, 10 s) as DICOM (cached: the same bytes each time)."""
    return dicom_ecg()


@cache
def dicom_ct_slice() -> bytes:
    """A DICOM of another modality: a CT image (4×4 pixels), no waveform."""
    return _dicom(CT_IMAGE, "CT", None)


def aecg(
    leads: dict[str, np.ndarray] | None = None, rate_hz: int = 500, doctype: str = ""
) -> bytes:
    """An HL7 aECG (urn:hl7-org:v3 AnnotatedECG) with one rhythm series of ``leads`` (mV; the
    synthetic rhythm by default) in 5 µV digits; ``doctype`` goes before the root."""
    leads = leads if leads is not None else synthetic_leads(rate_hz)
    sequences = [
        "<component><sequence>"
        '<code code="TIME_ABSOLUTE" codeSystem="2.16.840.1.113883.5.4"/>'
        '<value xsi:type="GLIST_TS"><head value="20261204120000.000"/>'
        f'<increment value="{1 / rate_hz:g}" unit="s"/></value>'
        "</sequence></component>"
    ]
    for lead, values in leads.items():
        digits = " ".join(str(int(v)) for v in np.round(values * 1000 / 5))
        sequences.append(
            "<component><sequence>"
            f'<code code="MDC_ECG_LEAD_{lead.upper()}" codeSystem="2.16.840.1.113883.6.24"/>'
            '<value xsi:type="SLIST_PQ"><origin value="0" unit="uV"/>'
            f'<scale value="5" unit="uV"/><digits>{digits}</digits></value>'
            "</sequence></component>"
        )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f"{doctype}"
        '<AnnotatedECG xmlns="urn:hl7-org:v3"'
        ' xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
        '<id root="2.16.840.1.113883.3.0.synthetic"/>'
        '<code code="93000" codeSystem="2.16.840.1.113883.6.12"/>'
        "<component><series>"
        '<code code="RHYTHM" codeSystem="2.16.840.1.113883.5.4"/>'
        f"<component><sequenceSet>{''.join(sequences)}</sequenceSet></component>"
        "</series></component></AnnotatedECG>\n"
    ).encode()


@cache
def aecg_12_lead() -> bytes:
    """The synthetic 12-lead ECG (500 Hz, 10 s) as an HL7 aECG."""
    return aecg()


def aecg_with_external_entity() -> bytes:
    """An aECG whose DTD declares an external entity reading a local file (XXE)."""
    doctype = '<!DOCTYPE AnnotatedECG [<!ENTITY leak SYSTEM "file:///etc/passwd">]>\n'
    return aecg(doctype=doctype).replace(b'"93000"', b'"&leak;"')
