"""The county's ECG reading network (issue 16): a township sends a tracing, a reader reads it,
the reading stamps the diagnosis and goes back on the sender's stream; a second reading is a
correction with a reason; strangers see nothing."""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import httpx
import pytest
from PIL import Image
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from alerts.ecg_escalation import escalate_unread
from tests.conftest import Login
from tests.e2e.alerts_helpers import SENDER, nandun_case
from tests.e2e.cases_helpers import read_case, signed_in
from tests.e2e.units_helpers import assert_problem

ECGS = "/api/v1/ecgs"
READER = "ecg-reader"
OTHER_TOWNSHIP = "township-th-shuizhai"


def tracing(shade: int = 0) -> bytes:
    """A small real PNG; each shade is another file (another sha256)."""
    buffer = io.BytesIO()
    Image.new("RGB", (16, 8), (shade % 256, 128, 200)).save(buffer, format="PNG")
    return buffer.getvalue()


async def send_file(
    client: httpx.AsyncClient, headers: dict[str, str], case_id: int, content: bytes
) -> httpx.Response:
    return await client.post(
        ECGS,
        data={"case_id": str(case_id)},
        files={"file": ("ecg.png", content, "image/png")},
        headers=headers,
    )


async def read(
    client: httpx.AsyncClient, headers: dict[str, str], ecg_id: int, **body: Any
) -> httpx.Response:
    return await client.post(f"{ECGS}/{ecg_id}/reading", json=body, headers=headers)


def milestones(case: dict[str, Any], milestone: str) -> list[dict[str, Any]]:
    return [e for e in case["timeline"] if e["milestone"] == milestone]


async def frames(db: AsyncSession, stream: str, frame_type: str) -> list[dict[str, Any]]:
    rows = await db.execute(
        text("SELECT payload FROM alert_stream WHERE stream = :s AND type = :t ORDER BY seq"),
        {"s": stream, "t": frame_type},
    )
    return [row.payload for row in rows]


async def test_a_township_tracing_is_read_by_the_county_and_the_reading_goes_back(
    client: httpx.AsyncClient, login: Login, db: AsyncSession
) -> None:
    """Sent: waiting in the readers' queue, ecg_transmitted on the case, a frame for the
    readers. Read (STEMI): diagnosis stamped by the reader, the reading on the township's
    stream at once, the ECG out of the queue."""
    case_id, township = await nandun_case(client, login)
    sent = await send_file(client, township, case_id, tracing(1))
    assert 201 == sent.status_code, sent.text
    ecg = sent.json()
    assert ("awaiting_reading", case_id, "th-nandun") == (
        ecg["status"],
        ecg["case_id"],
        ecg["from_facility_id"],
    )
    reader = await signed_in(login, READER)
    queue = (await client.get(ECGS, params={"status": "awaiting_reading"}, headers=reader)).json()
    waiting = next(e for e in queue if e["id"] == ecg["id"])
    assert waiting["waiting_seconds"] >= 0
    assert [ecg["id"]] == [e["id"] for e in await frames(db, "ecg", "ecg.received")][-1:]
    assert 1 == len(milestones(await read_case(client, township, case_id), "ecg_transmitted"))

    answer = await read(client, reader, ecg["id"], finding="stemi", text="V1-V4 ST elevation")
    assert 200 == answer.status_code, answer.text
    assert ("read", "stemi", READER) == (
        answer.json()["status"],
        answer.json()["reading"]["finding"],
        answer.json()["reading"]["read_by"],
    )
    diagnosis = milestones(await read_case(client, township, case_id), "diagnosis")
    assert [READER] == [d["recorded_by"] for d in diagnosis]
    back = await frames(db, "facility:th-nandun", "ecg.read")
    assert ("stemi", "V1-V4 ST elevation") == (
        back[-1]["reading"]["finding"],
        back[-1]["reading"]["text"],
    )
    queue = (await client.get(ECGS, params={"status": "awaiting_reading"}, headers=reader)).json()
    assert ecg["id"] not in [e["id"] for e in queue]
    of_case = (await client.get(ECGS, params={"case_id": case_id}, headers=township)).json()
    assert [(ecg["id"], "read")] == [(e["id"], e["status"]) for e in of_case]


async def test_sending_the_same_tracing_again_is_the_same_ecg(
    client: httpx.AsyncClient, login: Login
) -> None:
    """A retried upload (same file, same case) answers 200 with the first ECG; another file
    is another ECG; an uploaded attachment may be sent by its id (JSON)."""
    case_id, township = await nandun_case(client, login)
    first = await send_file(client, township, case_id, tracing(2))
    retried = await send_file(client, township, case_id, tracing(2))
    assert (201, 200) == (first.status_code, retried.status_code)
    assert first.json()["id"] == retried.json()["id"]
    uploaded = await client.post(
        "/api/v1/attachments", files={"file": ("b.png", tracing(3), "image/png")}, headers=township
    )
    by_id = await client.post(
        ECGS, json={"case_id": case_id, "attachment_id": uploaded.json()["id"]}, headers=township
    )
    assert 201 == by_id.status_code, by_id.text
    assert by_id.json()["id"] != first.json()["id"]
    again = await client.post(
        ECGS, json={"case_id": case_id, "attachment_id": uploaded.json()["id"]}, headers=township
    )
    assert (200, by_id.json()["id"]) == (again.status_code, again.json()["id"])


async def test_a_second_reading_is_a_correction_with_a_reason(
    client: httpx.AsyncClient, login: Login
) -> None:
    """Without a reason: 422 and nothing changes; with one: it supersedes the first (both
    kept), and the case keeps its one diagnosis stamp."""
    case_id, township = await nandun_case(client, login)
    ecg_id = (await send_file(client, township, case_id, tracing(4))).json()["id"]
    reader = await signed_in(login, READER)
    first = (await read(client, reader, ecg_id, finding="no_stemi")).json()["reading"]
    refused = await read(client, reader, ecg_id, finding="stemi")
    assert "/problems/ecg-rejected" == assert_problem(refused, 422)["type"]
    assert "needs a reason" in refused.json()["detail"]
    corrected = await read(client, reader, ecg_id, finding="stemi", reason="lead V2 misread")
    assert 200 == corrected.status_code, corrected.text
    body = corrected.json()
    assert ("stemi", first["id"], "lead V2 misread") == (
        body["reading"]["finding"],
        body["reading"]["supersedes"],
        body["reading"]["reason"],
    )
    assert ["no_stemi", "stemi"] == [r["finding"] for r in body["readings"]]
    assert 1 == len(milestones(await read_case(client, township, case_id), "diagnosis"))


async def test_an_unreadable_tracing_stamps_no_diagnosis(
    client: httpx.AsyncClient, login: Login
) -> None:
    case_id, township = await nandun_case(client, login)
    ecg_id = (await send_file(client, township, case_id, tracing(5))).json()["id"]
    reader = await signed_in(login, READER)
    answer = await read(client, reader, ecg_id, finding="unreadable", text="noise, resend")
    assert "unreadable" == answer.json()["status"]
    assert [] == milestones(await read_case(client, township, case_id), "diagnosis")


@pytest.mark.parametrize("who", [SENDER, "dispatcher", "cathlab-county-hospital", "admin"])
async def test_only_a_reader_reads(client: httpx.AsyncClient, login: Login, who: str) -> None:
    """A reading by someone who is not a reader is 403 (the sender included)."""
    case_id, township = await nandun_case(client, login)
    ecg_id = (await send_file(client, township, case_id, tracing(6))).json()["id"]
    refused = await read(client, await signed_in(login, who), ecg_id, finding="stemi")
    assert 403 == refused.status_code, refused.text


async def test_a_stranger_neither_sends_nor_sees(client: httpx.AsyncClient, login: Login) -> None:
    """Another township: 403 sending for a case not its own, 404 for the ECG and its file, an
    empty list; a reader gets the file; the reader cannot send."""
    case_id, township = await nandun_case(client, login)
    ecg = (await send_file(client, township, case_id, tracing(7))).json()
    stranger = await signed_in(login, OTHER_TOWNSHIP)
    assert 403 == (await send_file(client, stranger, case_id, tracing(8))).status_code
    assert 404 == (await client.get(f"{ECGS}/{ecg['id']}", headers=stranger)).status_code
    attachment = f"/api/v1/attachments/{ecg['attachment_id']}"
    assert 404 == (await client.get(attachment, headers=stranger)).status_code
    assert ecg["id"] not in [e["id"] for e in (await client.get(ECGS, headers=stranger)).json()]
    reader = await signed_in(login, READER)
    assert 200 == (await client.get(attachment, headers=reader)).status_code
    assert 200 == (await client.get(f"{ECGS}/{ecg['id']}", headers=township)).status_code
    assert 403 == (await send_file(client, reader, case_id, tracing(9))).status_code


async def test_bad_input_is_refused_and_changes_nothing(
    client: httpx.AsyncClient, login: Login, db: AsyncSession
) -> None:
    """A text file posing as a PNG, an unknown attachment, a missing case, a bad finding."""
    case_id, township = await nandun_case(client, login)
    before = await db.scalar(text("SELECT count(*) FROM ecgs"))
    fake = await send_file(client, township, case_id, b"\x89PNG\r\n\x1a\n<html>not an ecg</html>")
    assert "/problems/attachment-rejected" == assert_problem(fake, 422)["type"]
    unknown = await client.post(
        ECGS, json={"case_id": case_id, "attachment_id": "nope"}, headers=township
    )
    assert "/problems/ecg-rejected" == assert_problem(unknown, 422)["type"]
    missing = await send_file(client, township, 2**62, tracing(10))
    assert 404 == missing.status_code
    no_file = await client.post(ECGS, data={"case_id": str(case_id)}, headers=township)
    assert "/problems/ecg-rejected" == assert_problem(no_file, 422)["type"]
    assert before == await db.scalar(text("SELECT count(*) FROM ecgs"))
    ecg_id = (await send_file(client, township, case_id, tracing(11))).json()["id"]
    reader = await signed_in(login, READER)
    assert 422 == (await read(client, reader, ecg_id, finding="maybe")).status_code


@dataclass
class RecordingNotifier:
    channel: str = "test"
    calls: list[tuple[int, int, str]] = field(default_factory=list)

    async def notify(self, alert: dict[str, Any], level: int) -> str:
        self.calls.append((int(alert["id"]), level, str(alert.get("kind"))))
        return "recorded"


async def test_an_unread_ecg_escalates_until_it_is_read(
    client: httpx.AsyncClient,
    login: Login,
    db: AsyncSession,
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    """Unread at 3 min: not yet at 2:59; at 3:00 an ecg.escalated frame for the readers and
    the dispatchers and the notifier (kind ecg); again a reminder later; none once read."""
    case_id, township = await nandun_case(client, login)
    ecg = (await send_file(client, township, case_id, tracing(12))).json()
    received = datetime.fromisoformat(ecg["received_at"])
    notifier = RecordingNotifier()
    minute = timedelta(minutes=1)
    mine = [(ecg["id"], 1, "ecg")]

    async def escalate(at: datetime) -> list[tuple[int, int, str]]:
        await escalate_unread(sessionmaker, at, minute, notifier)
        return [c for c in notifier.calls if c[0] == ecg["id"]]

    assert [] == await escalate(received + timedelta(minutes=3) - timedelta(seconds=1))
    assert mine == await escalate(received + timedelta(minutes=3))
    escalated = await frames(db, "dispatch", "ecg.escalated")
    assert ecg["id"] in [f["id"] for f in escalated]
    assert ecg["id"] in [f["id"] for f in await frames(db, "ecg", "ecg.escalated")]
    assert mine == await escalate(received + timedelta(minutes=3, seconds=59))
    assert [*mine, (ecg["id"], 2, "ecg")] == await escalate(received + timedelta(minutes=4))
    reader = await signed_in(login, READER)
    assert 200 == (await read(client, reader, ecg["id"], finding="no_stemi")).status_code
    assert 2 == len(await escalate(received + timedelta(hours=1)))
