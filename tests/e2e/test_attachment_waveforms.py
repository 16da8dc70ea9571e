"""12-lead ECG waveforms over HTTP (issue 16): a DICOM or HL7 aECG file is uploaded or sent for
reading, kept as sent and drawn on ECG paper; the drawing is what ``GET /attachments/{id}``
shows, the file as sent what ``?original=1`` gives back, to the same readers only. A file that
only claims to be a waveform is refused and nothing is stored."""

from __future__ import annotations

import hashlib
import io

import httpx
import pytest
from PIL import Image
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from alerts.ecg_paper import HEIGHT_MM, PX_PER_MM, WIDTH_MM
from tests.conftest import Login
from tests.e2e.alerts_helpers import nandun_case
from tests.e2e.cases_helpers import signed_in
from tests.e2e.units_helpers import assert_problem
from tests.waveform_files import (
    aecg_12_lead,
    aecg_with_external_entity,
    dicom_12_lead,
    dicom_ct_slice,
)

ATTACHMENTS = "/api/v1/attachments"
ECGS = "/api/v1/ecgs"
SENDER = "township-th-nandun"
READER = "ecg-reader"
STRANGER = "township-th-shuizhai"
PAPER_PX = (WIDTH_MM * PX_PER_MM, HEIGHT_MM * PX_PER_MM)
WAVEFORMS = [
    ("ecg.dcm", dicom_12_lead(), "application/dicom"),
    ("ecg.xml", aecg_12_lead(), "application/x-hl7-aecg+xml"),
]


async def stored_count(db: AsyncSession) -> int:
    return int(await db.scalar(text("select count(*) from attachments")) or 0)


def paper_size(png: bytes) -> tuple[str | None, tuple[int, int]]:
    with Image.open(io.BytesIO(png)) as image:
        return image.format, image.size


@pytest.mark.parametrize(("filename", "content", "content_type"), WAVEFORMS, ids=["dicom", "aecg"])
async def test_a_waveform_is_shown_drawn_and_given_back_as_sent(
    client: httpx.AsyncClient,
    login: Login,
    db: AsyncSession,
    filename: str,
    content: bytes,
    content_type: str,
) -> None:
    """Uploaded (declared as anything): stored with its own type, size and sha256; read back
    as a PNG of the whole ECG paper; with ?original=1 byte for byte, as a download."""
    headers = await login(SENDER)
    posted = await client.post(
        ATTACHMENTS,
        files={"file": (filename, content, "application/octet-stream")},
        headers=headers,
    )
    assert 201 == posted.status_code, posted.text
    body = posted.json()
    assert (content_type, len(content), hashlib.sha256(content).hexdigest()) == (
        body["content_type"],
        body["size"],
        body["sha256"],
    )
    shown = await client.get(f"{ATTACHMENTS}/{body['id']}", headers=headers)
    assert (200, "image/png", "inline") == (
        shown.status_code,
        shown.headers["content-type"],
        shown.headers["content-disposition"],
    )
    assert ("PNG", PAPER_PX) == paper_size(shown.content)
    original = await client.get(f"{ATTACHMENTS}/{body['id']}?original=1", headers=headers)
    assert (200, content_type, content) == (
        original.status_code,
        original.headers["content-type"],
        original.content,
    )
    assert f"attachment; filename*=UTF-8''{filename}" == original.headers["content-disposition"]
    assert ("nosniff", "sandbox") == (
        original.headers["x-content-type-options"],
        original.headers["content-security-policy"],
    )
    stored = (
        await db.execute(
            text("select content, rendition from attachments where id = :id"), {"id": body["id"]}
        )
    ).one()
    assert (content, shown.content) == (bytes(stored.content), bytes(stored.rendition))


async def test_an_image_has_no_drawing_and_original_changes_nothing(
    client: httpx.AsyncClient, login: Login, db: AsyncSession
) -> None:
    """A PNG is shown as sent, with or without ?original=1, and keeps no rendition."""
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), (200, 10, 10)).save(buffer, format="PNG")
    headers = await login(SENDER)
    posted = await client.post(
        ATTACHMENTS, files={"file": ("ecg.png", buffer.getvalue(), "image/png")}, headers=headers
    )
    attachment_id = posted.json()["id"]
    plain = await client.get(f"{ATTACHMENTS}/{attachment_id}", headers=headers)
    original = await client.get(f"{ATTACHMENTS}/{attachment_id}?original=1", headers=headers)
    assert (buffer.getvalue(), buffer.getvalue(), "inline") == (
        plain.content,
        original.content,
        original.headers["content-disposition"],
    )
    rendition = await db.scalar(
        text("select rendition from attachments where id = :id"), {"id": attachment_id}
    )
    assert None is rendition


@pytest.mark.parametrize(("filename", "content", "content_type"), WAVEFORMS, ids=["dicom", "aecg"])
async def test_a_waveform_sent_for_reading_reaches_the_reader_drawn(
    client: httpx.AsyncClient,
    login: Login,
    filename: str,
    content: bytes,
    content_type: str,
) -> None:
    """A township sends a DICOM or aECG for reading (multipart): the reader gets the drawing
    and, asking for it, the original; another township gets neither (404)."""
    case_id, township = await nandun_case(client, login)
    sent = await client.post(
        ECGS,
        data={"case_id": str(case_id)},
        files={"file": (filename, content, "application/octet-stream")},
        headers=township,
    )
    assert 201 == sent.status_code, sent.text
    url = f"{ATTACHMENTS}/{sent.json()['attachment_id']}"
    reader = await signed_in(login, READER)
    shown = await client.get(url, headers=reader)
    assert ("image/png", ("PNG", PAPER_PX)) == (
        shown.headers["content-type"],
        paper_size(shown.content),
    )
    original = await client.get(f"{url}?original=1", headers=reader)
    assert (content_type, content) == (original.headers["content-type"], original.content)
    stranger = await signed_in(login, STRANGER)
    for path in (url, f"{url}?original=1"):
        assert_problem(await client.get(path, headers=stranger), 404)


REFUSED = [
    ("ct.dcm", dicom_ct_slice(), "not a 12-lead ECG waveform"),
    ("xxe.xml", aecg_with_external_entity(), "declares a DTD or entities"),
    ("cut.dcm", dicom_12_lead()[: len(dicom_12_lead()) // 2], "bytes of samples where"),
    ("cut.xml", aecg_12_lead()[: len(aecg_12_lead()) // 3], "does not parse as XML"),
]
REFUSED_IDS = ["ct-slice", "aecg-xxe", "truncated-dicom", "truncated-aecg"]


@pytest.mark.parametrize(("filename", "content", "why"), REFUSED, ids=REFUSED_IDS)
async def test_a_file_claiming_to_be_a_waveform_is_refused_and_not_stored(
    client: httpx.AsyncClient,
    login: Login,
    db: AsyncSession,
    filename: str,
    content: bytes,
    why: str,
) -> None:
    """A CT slice, an aECG with an external entity, a truncated DICOM or aECG: 422
    attachment-rejected saying why, uploaded or sent for reading, and nothing is stored."""
    case_id, township = await nandun_case(client, login)
    before = await stored_count(db)
    ecgs_before = int(await db.scalar(text("select count(*) from ecgs")) or 0)
    uploaded = await client.post(
        ATTACHMENTS, files={"file": (filename, content, "application/dicom")}, headers=township
    )
    sent = await client.post(
        ECGS,
        data={"case_id": str(case_id)},
        files={"file": (filename, content, "application/dicom")},
        headers=township,
    )
    for response in (uploaded, sent):
        body = assert_problem(response, 422)
        assert "/problems/attachment-rejected" == body["type"]
        assert why in body["detail"]
    assert (before, ecgs_before) == (
        await stored_count(db),
        int(await db.scalar(text("select count(*) from ecgs")) or 0),
    )
