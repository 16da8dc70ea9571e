"""12-lead ECG waveforms as attachments (pure, no I/O): DICOM and HL7 aECG recognised by their
content, read to the twelve leads in mV, drawn; what only claims to be one is refused."""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image

from alerts.attachments import AECG, DICOM, check, sniff
from alerts.ecg_paper import HEIGHT_MM, PX_PER_MM, WIDTH_MM
from alerts.exceptions import AttachmentRejected
from alerts.waveform_aecg import read_aecg
from alerts.waveform_dicom import read_dicom
from alerts.waveforms import LEADS, lead_name
from tests.waveform_files import (
    aecg,
    aecg_12_lead,
    aecg_with_external_entity,
    dicom_12_lead,
    dicom_ct_slice,
    dicom_ecg,
    synthetic_leads,
)

LIMIT = 10 * 1024 * 1024


def test_dicom_and_aecg_are_recognised_by_their_content() -> None:
    """A DICOM by "DICM" at byte 128, an aECG by its root element; neither by a name."""
    assert (DICOM, AECG, DICOM) == (
        sniff(dicom_12_lead()),
        sniff(aecg_12_lead()),
        sniff(dicom_ct_slice()),  # a DICOM, refused later for what it holds
    )


@pytest.mark.parametrize(
    "content",
    [
        b'<?xml version="1.0"?><html><body>AnnotatedECG</body></html>',
        b"<svg xmlns='http://www.w3.org/2000/svg'/>",
        bytes(128) + b"DIC",
        b"DICM" + bytes(200),
    ],
    ids=["xml-mentioning-aecg", "svg", "dicom-preamble-truncated", "dicm-at-the-start"],
)
def test_other_xml_and_near_dicom_are_not_recognised(content: bytes) -> None:
    """XML whose root is not AnnotatedECG, and "DICM" anywhere but byte 128, are no type."""
    assert None is sniff(content)


def test_the_dicom_12_lead_reads_back_in_millivolts() -> None:
    """The synthetic DICOM gives the twelve leads at 500 Hz for 10 s, each sample the mV it
    was written from, within the 2.5 µV of one stored unit."""
    waveform = read_dicom(dicom_12_lead())
    expected = synthetic_leads()
    assert (LEADS, 500.0, 10.0) == (tuple(waveform.leads), waveform.rate_hz, waveform.seconds)
    for lead in LEADS:
        assert float(np.max(np.abs(waveform.leads[lead] - expected[lead]))) <= 0.00125 + 1e-9


def test_the_aecg_reads_back_in_millivolts() -> None:
    """The synthetic aECG gives the twelve leads at 500 Hz for 10 s within 5 µV."""
    waveform = read_aecg(aecg_12_lead())
    expected = synthetic_leads()
    assert (LEADS, 500.0, 10.0) == (tuple(waveform.leads), waveform.rate_hz, waveform.seconds)
    for lead in LEADS:
        assert float(np.max(np.abs(waveform.leads[lead] - expected[lead]))) <= 0.0025 + 1e-9


def test_eight_recorded_leads_give_the_four_derived_limb_leads() -> None:
    """A recorder that stores I, II, V1-V6 still gives twelve leads: III = II - I,
    aVR = -(I + II)/2, aVL = I - II/2, aVF = II - I/2."""
    eight = {k: v for k, v in synthetic_leads().items() if k not in ("III", "aVR", "aVL", "aVF")}
    waveform = read_aecg(aecg(eight))
    one, two = waveform.leads["I"], waveform.leads["II"]
    assert LEADS == tuple(waveform.leads)
    np.testing.assert_allclose(waveform.leads["III"], two - one)
    np.testing.assert_allclose(waveform.leads["aVR"], -(one + two) / 2)
    np.testing.assert_allclose(waveform.leads["aVF"], two - one / 2)


@pytest.mark.parametrize("content", [dicom_12_lead(), aecg_12_lead()], ids=["dicom", "aecg"])
def test_a_waveform_is_kept_as_sent_with_its_drawing(content: bytes) -> None:
    """check keeps the file's own type, size and sha256 and adds its drawing: a PNG of the
    whole paper at 8 px/mm."""
    checked = check(content, LIMIT, "ecg")
    assert checked.rendition is not None
    drawing = Image.open(io.BytesIO(checked.rendition))
    assert (len(content), "PNG", (WIDTH_MM * PX_PER_MM, HEIGHT_MM * PX_PER_MM)) == (
        checked.size,
        drawing.format,
        drawing.size,
    )


def _refusal(content: bytes) -> str:
    with pytest.raises(AttachmentRejected) as refused:
        check(content, LIMIT, "ecg.dcm")
    return str(refused.value)


def test_a_dicom_of_another_modality_is_refused_by_name() -> None:
    """A CT slice is a DICOM but no 12-lead ECG waveform: refused, saying what it is."""
    assert (
        "'ecg.dcm' starts like application/dicom but is a DICOM CT Image Storage object"
        " (1.2.840.10008.5.1.4.1.1.2), not a 12-lead ECG waveform"
    ) == _refusal(dicom_ct_slice())


@pytest.mark.parametrize(
    ("content", "why"),
    [
        (dicom_12_lead()[: len(dicom_12_lead()) // 2], "bytes of samples where 120000"),
        (dicom_12_lead()[:400], "holds no waveform"),
        (aecg_12_lead()[: len(aecg_12_lead()) // 2], "does not parse as XML"),
    ],
    ids=["dicom-half", "dicom-header-only", "aecg-half"],
)
def test_a_truncated_waveform_is_refused(content: bytes, why: str) -> None:
    """Half a DICOM, its first 400 bytes, or half an aECG are refused, saying why."""
    assert why in _refusal(content)


def test_an_aecg_with_an_external_entity_is_refused_unread() -> None:
    """An aECG declaring an external entity (XXE) is refused for its DTD: nothing is fetched."""
    assert "declares a DTD or entities (DTDForbidden)" in _refusal(aecg_with_external_entity())


def test_an_aecg_with_an_entity_bomb_is_refused() -> None:
    """A "billion laughs" DTD is refused before any entity is expanded."""
    bomb = "".join(f'<!ENTITY l{i} "{f"&l{i - 1};" * 10}">' for i in range(1, 10))
    doctype = f'<!DOCTYPE AnnotatedECG [<!ENTITY l0 "lol">{bomb}]>'
    assert "declares a DTD or entities" in _refusal(aecg(doctype=doctype))


def test_an_annotated_ecg_in_another_namespace_is_refused() -> None:
    """The root must be AnnotatedECG in urn:hl7-org:v3."""
    content = aecg_12_lead().replace(b'xmlns="urn:hl7-org:v3"', b'xmlns="urn:example"')
    assert "not '{urn:hl7-org:v3}AnnotatedECG'" in _refusal(content)


@pytest.mark.parametrize(
    ("content", "why"),
    [
        (aecg({}), "lacks the leads I, II, V1, V2, V3, V4, V5, V6"),
        (aecg(synthetic_leads(seconds=1.0)), "too few for 2.5 s"),
        (aecg(synthetic_leads(rate_hz=50), rate_hz=50), "sampled at 50 Hz"),
        (aecg(synthetic_leads(seconds=61)), "at most 60 s"),
        (dicom_ecg(rate_hz=5000, seconds=3), "sampled at 5000 Hz"),
        (dicom_ecg(synthetic_leads(seconds=2)), "too few for 2.5 s"),
        (dicom_ecg({"I": synthetic_leads()["I"]}), "lacks the leads II, V1"),
        (aecg({k: v * 1000 for k, v in synthetic_leads().items()}), "beyond ±100 mV"),
    ],
    ids=[
        "aecg-no-leads",
        "aecg-1-s",
        "aecg-50-hz",
        "aecg-61-s",
        "dicom-5-khz",
        "dicom-2-s",
        "dicom-one-lead",
        "aecg-in-volts",
    ],
)
def test_a_waveform_that_is_no_12_lead_ecg_is_refused(content: bytes, why: str) -> None:
    """No leads, too few or too many samples, an absurd rate or amplitude: refused."""
    assert why in _refusal(content)


@pytest.mark.parametrize(
    ("code", "meaning", "lead"),
    [
        ("MDC_ECG_LEAD_AVR", "", "aVR"),
        ("5.6.3-9-61", "", "III"),
        ("2:3", "", "V1"),
        ("", "Lead aVF (Goldberger)", "aVF"),
        ("", "Lead V6", "V6"),
        ("MDC_ECG_LEAD_V7", "", None),
        ("5.6.3-9-100", "", None),
        ("", "Respiration", None),
    ],
)
def test_a_channel_is_named_by_its_lead_code_or_meaning(
    code: str, meaning: str, lead: str | None
) -> None:
    """MDC, SCP-ECG and DICOM code meanings name the standard leads; anything else is none."""
    assert lead == lead_name(code, meaning)
