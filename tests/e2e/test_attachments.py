"""Attachments over HTTP: ECG images and PDFs checked by content, stored with their sha256."""

from __future__ import annotations

import hashlib
import uuid

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from tests.conftest import Login
from tests.e2e.units_helpers import assert_problem
from tests.files import ecg_image, one_page_pdf

ATTACHMENTS = "/api/v1/attachments"
TEN_MB = 10 * 1024 * 1024
SENDER = "township-th-nandun"
PDF = one_page_pdf()


async def stored_count(db: AsyncSession) -> int:
    """How many attachments the database holds (in the test's transaction)."""
    return int(await db.scalar(text("select count(*) from attachments")) or 0)


async def upload(
    client: httpx.AsyncClient,
    headers: dict[str, str],
    content: bytes,
    filename: str = "ecg.bin",
    declared: str = "application/octet-stream",
) -> httpx.Response:
    """POST one file as the multipart field ``file``."""
    return await client.post(
        ATTACHMENTS, files={"file": (filename, content, declared)}, headers=headers
    )


@pytest.mark.parametrize(
    ("kind", "filename", "expected_type"),
    [
        ("png", "ecg.png", "image/png"),
        ("jpeg", "ecg.jpg", "image/jpeg"),
        ("pdf", "ecg.pdf", "application/pdf"),
    ],
    ids=["png", "jpeg", "pdf"],
)
async def test_each_type_uploads_and_reads_back_identically(
    client: httpx.AsyncClient,
    login: Login,
    db: AsyncSession,
    kind: str,
    filename: str,
    expected_type: str,
) -> None:
    """A PNG, JPEG or PDF is stored (201, its sha256) and read back byte for byte, inline."""
    content = PDF if kind == "pdf" else ecg_image(kind)
    headers = await login(SENDER)
    response = await upload(client, headers, content, filename, expected_type)
    assert 201 == response.status_code, response.text
    body = response.json()
    assert {"id", "sha256", "content_type", "size"} == set(body)
    assert (hashlib.sha256(content).hexdigest(), expected_type, len(content)) == (
        body["sha256"],
        body["content_type"],
        body["size"],
    )
    assert str(uuid.UUID(body["id"])) == body["id"]
    reader = await login("dispatcher")  # an overseer; the parties: test_alert_trust.py
    read = await client.get(f"{ATTACHMENTS}/{body['id']}", headers=reader)
    assert 200 == read.status_code, read.text
    assert content == read.content
    assert expected_type == read.headers["content-type"]
    assert "inline" == read.headers["content-disposition"]
    assert "nosniff" == read.headers["x-content-type-options"]
    row = (
        await db.execute(
            text("select filename, uploaded_by, sha256 from attachments where id = :id"),
            {"id": body["id"]},
        )
    ).one()
    assert (filename, SENDER, body["sha256"]) == tuple(row)


async def test_a_png_named_pdf_is_stored_as_a_png(client: httpx.AsyncClient, login: Login) -> None:
    """The type comes from the content: a PNG named ecg.pdf, declared PDF, is image/png."""
    content = ecg_image("png")
    headers = await login("crew-amb-01")
    response = await upload(client, headers, content, "ecg.pdf", "application/pdf")
    assert 201 == response.status_code, response.text
    assert "image/png" == response.json()["content_type"]
    read = await client.get(f"{ATTACHMENTS}/{response.json()['id']}", headers=headers)
    assert ("image/png", content) == (read.headers["content-type"], read.content)


async def test_a_text_file_named_png_is_refused_and_not_stored(
    client: httpx.AsyncClient, login: Login, db: AsyncSession
) -> None:
    """A text file named ecg.png, declared image/png, is a 422 saying it is not an image."""
    before = await stored_count(db)
    response = await upload(
        client, await login(SENDER), b"ST elevation V1-V4\n", "ecg.png", "image/png"
    )
    body = assert_problem(response, 422)
    assert "/problems/attachment-rejected" == body["type"]
    assert "'ecg.png' is not a PNG image, a JPEG image, a PDF document" in body["detail"]
    assert before == await stored_count(db)


async def test_an_empty_file_is_refused(
    client: httpx.AsyncClient, login: Login, db: AsyncSession
) -> None:
    """An empty file is a 422 saying it is empty, and nothing is stored."""
    before = await stored_count(db)
    response = await upload(client, await login(SENDER), b"", "ecg.png", "image/png")
    body = assert_problem(response, 422)
    assert "/problems/attachment-rejected" == body["type"]
    assert "is empty" in body["detail"]
    assert before == await stored_count(db)


async def test_exactly_ten_megabytes_is_accepted(
    client: httpx.AsyncClient, login: Login, db: AsyncSession
) -> None:
    """A PDF of exactly 10 MB (10 × 1024 × 1024 bytes) is stored."""
    content = PDF + bytes(TEN_MB - len(PDF))
    before = await stored_count(db)
    response = await upload(client, await login(SENDER), content, "scan.pdf", "application/pdf")
    assert 201 == response.status_code, response.text
    assert (TEN_MB, hashlib.sha256(content).hexdigest()) == (
        response.json()["size"],
        response.json()["sha256"],
    )
    assert before + 1 == await stored_count(db)


async def test_ten_megabytes_and_one_byte_is_413_and_not_stored(
    client: httpx.AsyncClient, login: Login, db: AsyncSession
) -> None:
    """One byte over 10 MB is a 413 problem and nothing is stored."""
    content = PDF + bytes(TEN_MB + 1 - len(PDF))
    before = await stored_count(db)
    response = await upload(client, await login(SENDER), content, "scan.pdf", "application/pdf")
    body = assert_problem(response, 413)
    assert "/problems/attachment-too-large" == body["type"]
    assert f"larger than the limit of {TEN_MB} bytes" in body["detail"]
    assert before == await stored_count(db)


async def test_a_body_far_over_the_limit_is_413_before_the_handler(
    client: httpx.AsyncClient, login: Login, db: AsyncSession
) -> None:
    """An 11 MB upload is refused by the body limit itself, as a 413 problem."""
    content = PDF + bytes(11 * 1024 * 1024 - len(PDF))
    before = await stored_count(db)
    response = await upload(client, await login(SENDER), content, "scan.pdf", "application/pdf")
    body = assert_problem(response, 413)
    assert "/problems/body-too-large" == body["type"]
    assert before == await stored_count(db)


async def test_a_request_without_a_file_field_is_422(
    client: httpx.AsyncClient, login: Login
) -> None:
    """A multipart request with no ``file`` field is a 422 naming the missing field."""
    response = await client.post(
        ATTACHMENTS,
        files={"other": ("ecg.png", ecg_image("png"), "image/png")},
        headers=await login(SENDER),
    )
    body = assert_problem(response, 422)
    assert "file" in body["detail"]


async def test_the_auditor_may_not_upload(
    client: httpx.AsyncClient, login: Login, db: AsyncSession
) -> None:
    """The auditor only reads: an upload is a 403 and nothing is stored."""
    before = await stored_count(db)
    response = await upload(client, await login("auditor"), ecg_image("png"), "ecg.png")
    assert_problem(response, 403)
    assert before == await stored_count(db)


async def test_the_auditor_may_read(client: httpx.AsyncClient, login: Login) -> None:
    """Every signed-in user, the auditor included, reads an attachment."""
    content = ecg_image("png")
    posted = await upload(client, await login(SENDER), content, "ecg.png")
    read = await client.get(f"{ATTACHMENTS}/{posted.json()['id']}", headers=await login("auditor"))
    assert (200, content) == (read.status_code, read.content)


async def test_no_token_is_401(client: httpx.AsyncClient, db: AsyncSession) -> None:
    """Without a bearer token, neither upload nor read is allowed (401), and nothing is stored."""
    before = await stored_count(db)
    posted = await upload(client, {}, ecg_image("png"), "ecg.png")
    assert_problem(posted, 401)
    read = await client.get(f"{ATTACHMENTS}/{uuid.uuid4()}")
    assert_problem(read, 401)
    assert before == await stored_count(db)


async def test_an_unknown_id_is_404(client: httpx.AsyncClient, login: Login) -> None:
    """A well-formed id that names no attachment is a 404 problem."""
    missing = uuid.uuid4()
    response = await client.get(f"{ATTACHMENTS}/{missing}", headers=await login(SENDER))
    body = assert_problem(response, 404)
    assert f"no attachment with id '{missing}'" == body["detail"]


async def test_a_malformed_id_is_422(client: httpx.AsyncClient, login: Login) -> None:
    """An id that is not a UUID is a 422 problem naming the path parameter."""
    response = await client.get(f"{ATTACHMENTS}/not-a-uuid", headers=await login(SENDER))
    body = assert_problem(response, 422)
    assert "attachment_id" in body["detail"]
