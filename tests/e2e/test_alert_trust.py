"""Issue 12, findings 6, 7 and 8: attachments only for the parties, decoded as what they claim;
delivery confirmations only from the receiving team, once per user; Idempotency-Keys per user
and replayed after authorisation; an alert's pathway known and the case's own."""

from __future__ import annotations

from datetime import UTC, datetime

import httpx
from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncSession

from alerts import service, stream
from tests.conftest import Login
from tests.e2e.alerts_helpers import COUNTY, RECEIVER, alert_body, nandun_case, send
from tests.e2e.cases_helpers import NANDUN_VILLAGE, case_body, open_case, signed_in
from tests.e2e.test_attachments import PDF, ecg_image, stored_count, upload
from tests.e2e.units_helpers import assert_problem
from units.models import User

ALERTS = "/api/v1/alerts"


async def uploaded(client: httpx.AsyncClient, headers: dict[str, str], content: bytes) -> str:
    response = await upload(client, headers, content)
    assert 201 == response.status_code, response.text
    return str(response.json()["id"])


async def test_an_ecg_is_read_only_by_the_parties_of_its_alert(
    client: httpx.AsyncClient, login: Login
) -> None:
    """Uploader, receiving team and dispatcher read it (sandboxed, not sniffed); another
    township's user gets 404 — before and after it is attached (finding 6)."""
    case_id, sender = await nandun_case(client, login)
    ecg = await uploaded(client, sender, ecg_image("png"))
    url = f"/api/v1/attachments/{ecg}"
    stranger = await login("township-th-fanji")
    receiver = await login(RECEIVER)
    assert 404 == (await client.get(url, headers=stranger)).status_code
    assert 404 == (await client.get(url, headers=receiver)).status_code  # not sent to it yet
    sent = await send(client, sender, alert_body(case_id, attachment_ids=[ecg]))
    assert 201 == sent.status_code, sent.text
    for headers in (sender, receiver, await login("dispatcher"), await login("auditor")):
        response = await client.get(url, headers=headers)
        assert 200 == response.status_code
        assert "sandbox" == response.headers["content-security-policy"]
        assert ("nosniff", "image/png") == (
            response.headers["x-content-type-options"],
            response.headers["content-type"],
        )
    assert 404 == (await client.get(url, headers=stranger)).status_code


async def test_only_the_uploader_attaches_its_file(client: httpx.AsyncClient, login: Login) -> None:
    """Another user's upload (here the receiving team's) cannot be attached: 422."""
    case_id, sender = await nandun_case(client, login)
    theirs = await uploaded(client, await login(RECEIVER), ecg_image("jpeg"))
    refused = await send(client, sender, alert_body(case_id, attachment_ids=[theirs]))
    assert "uploaded by someone else" in assert_problem(refused, 422)["detail"]


async def test_a_file_that_only_starts_like_an_image_or_pdf_is_refused(
    client: httpx.AsyncClient, login: Login, db: AsyncSession
) -> None:
    """A PNG header on an HTML page, a truncated PNG, a JPEG header on text and a PDF header
    with no page are refused (422), nothing stored; real files pass (the controls)."""
    headers = await signed_in(login, "township-th-nandun")
    before = await stored_count(db)
    png = ecg_image("png")
    forged = [
        b"\x89PNG\r\n\x1a\n<html><script>alert(document.cookie)</script></html>",
        png[: len(png) // 2],
        b"\xff\xd8\xff<html>not a jpeg</html>",
        b"%PDF-1.4\n<html>no pages here</html>",
    ]
    for content in forged:
        problem = assert_problem(await upload(client, headers, content), 422)
        assert "/problems/attachment-rejected" == problem["type"]
    assert before == await stored_count(db)
    for content in (png, ecg_image("jpeg"), PDF):
        assert 201 == (await upload(client, headers, content)).status_code


async def user(db: AsyncSession, username: str) -> User:
    found = await db.scalar(select(User).where(User.username == username))
    assert found is not None
    return found


async def deliveries(db: AsyncSession, alert_id: int) -> list[str]:
    rows = await db.execute(
        text("SELECT confirmed_by FROM alert_deliveries WHERE alert_id = :a ORDER BY id"),
        {"a": alert_id},
    )
    return [row[0] for row in rows]


async def test_delivery_is_confirmed_only_by_the_receiving_team_once_per_user(
    client: httpx.AsyncClient, login: Login, db: AsyncSession
) -> None:
    """An auditor's or dispatcher's 'delivered' (even on the county's stream) writes nothing
    and leaves the alert 'sent'; the receiver's counts once however often it is sent (finding 7)."""
    case_id, sender = await nandun_case(client, login)
    sent = await send(client, sender, alert_body(case_id))
    alert_id, seq = int(sent.json()["alert"]["id"]), int(sent.json()["seq"])
    county = stream.facility_stream(COUNTY)
    now = datetime.now(UTC)
    for name in ("auditor", "dispatcher", "township-th-nandun"):
        recorded = await service.confirm_delivery(db, await user(db, name), county, seq, now)
        assert False is recorded, name
    status = await db.scalar(text("SELECT status FROM alerts WHERE id = :a"), {"a": alert_id})
    assert ("sent", []) == (status, await deliveries(db, alert_id))
    receiver = await user(db, RECEIVER)
    results = [await service.confirm_delivery(db, receiver, county, seq, now) for _ in range(3)]
    assert [True, False, False] == results
    status = await db.scalar(text("SELECT status FROM alerts WHERE id = :a"), {"a": alert_id})
    assert ("delivered", [RECEIVER]) == (status, await deliveries(db, alert_id))


async def test_another_users_equal_key_is_another_request(
    client: httpx.AsyncClient, login: Login
) -> None:
    """The same Idempotency-Key and body from a dispatcher makes the dispatcher's own alert,
    never a replay of the township's (finding 8); the township's retry is a replay."""
    case_id, township = await nandun_case(client, login)
    body = alert_body(case_id)
    first = await send(client, township, body, key="shared-key-1")
    again = await send(client, township, body, key="shared-key-1")
    other = await send(client, await login("dispatcher"), body, key="shared-key-1")
    assert (201, 201, 201) == (first.status_code, again.status_code, other.status_code)
    ids = [int(r.json()["alert"]["id"]) for r in (first, again, other)]
    assert ids[0] == ids[1] != ids[2]
    assert "dispatcher" == other.json()["alert"]["sent_by"]


async def test_a_replay_comes_after_authorisation(
    client: httpx.AsyncClient, login: Login, db: AsyncSession
) -> None:
    """A user who may no longer send for the case (moved to another unit) retrying its key
    gets 403, not the stored alert."""
    case_id, township = await nandun_case(client, login)
    body = alert_body(case_id)
    assert 201 == (await send(client, township, body, key="moved-away")).status_code
    await db.execute(
        text("UPDATE users SET facility_id = 'th-fanji' WHERE username = 'township-th-nandun'")
    )
    await db.commit()
    assert_problem(await send(client, township, body, key="moved-away"), 403)


async def test_an_alerts_pathway_is_the_cases(client: httpx.AsyncClient, login: Login) -> None:
    """A stroke alert on a STEMI case is refused (422); a stroke alert on a stroke case goes."""
    headers = await signed_in(login, "township-th-nandun")
    stemi = await open_case(client, headers, case_body(*NANDUN_VILLAGE))
    refused = await client.post(
        ALERTS, json=alert_body(int(stemi["id"]), pathway="stroke"), headers=headers
    )
    assert "cannot be sent for a stemi case" in assert_problem(refused, 422)["detail"]
    stroke = await open_case(client, headers, case_body(*NANDUN_VILLAGE, pathway="stroke"))
    sent = await client.post(
        ALERTS, json=alert_body(int(stroke["id"]), pathway="stroke"), headers=headers
    )
    assert 201 == sent.status_code, sent.text
