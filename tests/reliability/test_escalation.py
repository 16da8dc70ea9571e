"""Escalation in a real process: an alert nobody answers reaches the dispatchers on time, keeps
reminding, and stops at the first acknowledgement."""

from __future__ import annotations

from pathlib import Path

import asyncpg
import httpx
from sqlalchemy.engine import make_url

from tests.reliability.servers import (
    Screen,
    alert_body,
    bearer,
    open_case,
    post_alert,
    running,
    sign_in,
)

SENDER = "township-th-nandun"
RECEIVER = "cathlab-county-hospital"
ACK_TIMEOUT = 2.0
# Its own server: unanswered alerts are due 2 s after sending and reminded every second.
ESCALATING = {
    "alert_ack_timeout_seconds": str(ACK_TIMEOUT),
    "escalation_reminder_seconds": "1",
    "escalation_check_seconds": "0.2",
    "heartbeat_seconds": "1",
}


async def dispatch_head(database_url: str) -> int:
    """The last seq of the dispatchers' stream (there is no HTTP replay of it)."""
    dsn = make_url(database_url).set(drivername="postgresql").render_as_string(False)
    connection = await asyncpg.connect(dsn, timeout=5)
    try:
        head = await connection.fetchval(
            "SELECT last_seq FROM alert_stream_heads WHERE stream = 'dispatch'"
        )
    finally:
        await connection.close(timeout=2)
    return int(head or 0)


async def test_an_unanswered_alert_escalates_on_time_until_acknowledged(
    reliability_db: str, log_dir: Path, http: httpx.AsyncClient
) -> None:
    """Unanswered for 2 s: alert.escalated in 4 s, a reminder each second, none after the ack."""
    with running(["escalating"], reliability_db, log_dir, **ESCALATING) as (server,):
        sender = bearer(await sign_in(http, server, SENDER))
        cathlab = bearer(await sign_in(http, server, RECEIVER))
        dispatcher = await sign_in(http, server, "dispatcher")
        case_id = await open_case(http, server, sender)
        screen = Screen(
            [server], "/ws/dispatch/alerts", dispatcher, since=await dispatch_head(reliability_db)
        )
        screen.start()
        alert_id: int | None = None
        try:
            assert await screen.wait_for(lambda s: len(s.connects) >= 1, 5), screen.closes
            sent = await post_alert(http, server, sender, alert_body(case_id, 1))
            assert 201 == sent.status, sent.body
            alert_id = sent.alert_id

            def escalations(s: Screen) -> list[tuple[int, float, int]]:
                return [
                    (int(f["alert"]["escalation_level"]), float(f["received_at"]), int(f["seq"]))
                    for f in s.frames
                    if f["type"] == "alert.escalated" and f["alert"]["id"] == alert_id
                ]

            assert await screen.wait_for(lambda s: len(escalations(s)) >= 1, 4.5), screen.frames
            level, at, _ = escalations(screen)[0]
            assert 1 == level
            assert ACK_TIMEOUT - 0.5 <= at - sent.returned_at <= 4  # not early, not late
            assert await screen.wait_for(lambda s: len(escalations(s)) >= 2, 3)  # a reminder
            assert 2 == escalations(screen)[1][0]

            answer = await http.post(
                f"{server.url}/api/v1/alerts/{alert_id}/ack",
                json={"action": "acknowledged"},
                headers=cathlab,
            )
            assert 200 == answer.status_code, answer.text
            acknowledged = await screen.wait_for(
                lambda s: any(f["type"] == "alert.acknowledged" for f in s.frames), 2
            )
            assert acknowledged, screen.frames
            ack_seq = next(f["seq"] for f in screen.frames if f["type"] == "alert.acknowledged")
            count = len(escalations(screen))  # frames come in seq order: all before it are here
            more = await screen.wait_for(lambda s: len(escalations(s)) > count, 3)
            assert not more, "a reminder came after the acknowledgement"
            assert all(seq < ack_seq for _, _, seq in escalations(screen))
        finally:
            await screen.stop()
            if alert_id is not None:  # never leave an alert that reminds the other servers
                await http.post(
                    f"{server.url}/api/v1/alerts/{alert_id}/cancel",
                    json={"reason": "test over"},
                    headers=sender,
                )
