"""Unread ECGs escalate to the readers on duty (issue 16): the frame and the webhook name only
the reader whose shift covers the moment; with nobody on duty, every active reader, said so in
the payload and in a warning line — never nobody."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from alerts.ecg_escalation import escalate_unread
from tests.conftest import Login
from tests.e2e.alerts_helpers import nandun_case
from tests.e2e.cases_helpers import signed_in
from tests.e2e.rota_helpers import SECOND_READER, empty_rota, put_on, second_reader
from tests.e2e.test_ecg_reading import READER, frames, send_file, tracing

MINUTE = timedelta(minutes=1)


@dataclass
class PayloadNotifier:
    """Keeps what the webhook would be sent."""

    channel: str = "test"
    sent: list[dict[str, Any]] = field(default_factory=list)

    async def notify(self, alert: dict[str, Any], level: int) -> str:
        self.sent.append({**alert, "level": level})
        return "recorded"


async def _unread_ecg(client: httpx.AsyncClient, login: Login, shade: int) -> tuple[int, datetime]:
    case_id, township = await nandun_case(client, login)
    ecg = (await send_file(client, township, case_id, tracing(shade))).json()
    return int(ecg["id"]), datetime.fromisoformat(ecg["received_at"])


def _warnings(caplog: pytest.LogCaptureFixture, event: str) -> list[dict[str, Any]]:
    found = [r.msg for r in caplog.records if isinstance(r.msg, dict)]
    return [e for e in found if e.get("event") == event]


async def _active_readers(db: AsyncSession) -> list[str]:
    rows = await db.scalars(
        text("SELECT username FROM users WHERE role = 'ecg_reader' AND active ORDER BY username")
    )
    return list(rows)


async def test_an_unread_ecg_escalates_to_the_reader_on_duty_only(
    client: httpx.AsyncClient,
    login: Login,
    db: AsyncSession,
    sessionmaker: async_sessionmaker[AsyncSession],
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Reader 2 on duty at 3:00, reader 1 off: the frame and the webhook name reader 2 alone,
    readers_on_duty true; no 'nobody on duty' warning."""
    await empty_rota(db)
    await second_reader(db)
    ecg_id, received = await _unread_ecg(client, login, 201)
    due = received + 3 * MINUTE
    admin = await signed_in(login, "admin")
    on = await put_on(client, admin, SECOND_READER, due - timedelta(hours=1), due + MINUTE)
    assert 201 == on.status_code, on.text
    ended = await put_on(client, admin, READER, due - timedelta(hours=8), due)  # ends at 3:00
    assert 201 == ended.status_code, ended.text
    notifier = PayloadNotifier()
    with caplog.at_level(logging.WARNING):
        await escalate_unread(sessionmaker, due, MINUTE, notifier)
    sent = [p for p in notifier.sent if p["id"] == ecg_id]
    assert [([SECOND_READER], True, "ecg", 1)] == [
        (p["to_readers"], p["readers_on_duty"], p["kind"], p["level"]) for p in sent
    ]
    frame = next(f for f in await frames(db, "ecg", "ecg.escalated") if f["id"] == ecg_id)
    assert ([SECOND_READER], True) == (frame["to_readers"], frame["readers_on_duty"])
    assert [] == _warnings(caplog, "ecg_escalation_nobody_on_duty")


async def test_with_nobody_on_duty_every_reader_is_told_and_it_says_so(
    client: httpx.AsyncClient,
    login: Login,
    db: AsyncSession,
    sessionmaker: async_sessionmaker[AsyncSession],
    caplog: pytest.LogCaptureFixture,
) -> None:
    """No shift covers 3:00 (one ended exactly then): every active reader, readers_on_duty
    false in the frame and the webhook payload, and a warning line naming them."""
    await empty_rota(db)
    await second_reader(db)
    ecg_id, received = await _unread_ecg(client, login, 202)
    due = received + 3 * MINUTE
    admin = await signed_in(login, "admin")
    assert 201 == (await put_on(client, admin, READER, due - 8 * MINUTE, due)).status_code
    everyone = await _active_readers(db)
    assert {READER, SECOND_READER} <= set(everyone)
    notifier = PayloadNotifier()
    with caplog.at_level(logging.WARNING):
        await escalate_unread(sessionmaker, due, MINUTE, notifier)
    sent = next(p for p in notifier.sent if p["id"] == ecg_id)
    assert (everyone, False) == (sent["to_readers"], sent["readers_on_duty"])
    frame = next(f for f in await frames(db, "ecg", "ecg.escalated") if f["id"] == ecg_id)
    assert (everyone, False) == (frame["to_readers"], frame["readers_on_duty"])
    warned = _warnings(caplog, "ecg_escalation_nobody_on_duty")
    assert [(ecg_id, everyone, "warning", 1)] == [
        (e["ecg_id"], e["to_readers"], e["level"], e["escalation_level"]) for e in warned
    ]


async def test_a_disabled_reader_on_duty_is_not_counted(
    client: httpx.AsyncClient,
    login: Login,
    db: AsyncSession,
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    """The only reader on duty was disabled: the escalation falls back to the active readers."""
    await empty_rota(db)
    await second_reader(db)
    ecg_id, received = await _unread_ecg(client, login, 203)
    due = received + 3 * MINUTE
    admin = await signed_in(login, "admin")
    assert (
        201 == (await put_on(client, admin, SECOND_READER, due - MINUTE, due + MINUTE)).status_code
    )
    await db.execute(
        text("UPDATE users SET active = false WHERE username = :u"), {"u": SECOND_READER}
    )
    await db.flush()
    notifier = PayloadNotifier()
    await escalate_unread(sessionmaker, due, MINUTE, notifier)
    sent = next(p for p in notifier.sent if p["id"] == ecg_id)
    assert (await _active_readers(db), False) == (sent["to_readers"], sent["readers_on_duty"])
    assert SECOND_READER not in sent["to_readers"]
