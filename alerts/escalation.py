"""Escalation: an alert nobody answered within the configured time escalates, and keeps
reminding, until the first answer.

Each server process runs the loop; ``FOR UPDATE SKIP LOCKED`` makes every due step happen once
across processes. A step is committed with its ``alert.escalated`` frame (to the dispatchers'
and the receiving facility's streams); the outbound notifier (a webhook for SMS or phone
gateways, with retries) is called after the commit, and its outcome logged as its own step.
"""

from __future__ import annotations

import asyncio
import json
import ssl
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol

import httpx
import structlog
from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from alerts import service, webhook
from alerts.models import OPEN_STATUSES, Alert, EscalationStep

log = structlog.get_logger(__name__)


class Notifier(Protocol):
    """Sends an escalation outside the system (SMS, phone, pager); raises if it could not."""

    channel: str

    async def notify(self, alert: dict[str, Any], level: int) -> str: ...


class LogNotifier:
    """The default when no gateway is configured: the escalation is only logged."""

    channel = "log"

    async def notify(self, alert: dict[str, Any], level: int) -> str:
        log.warning(
            "alert_escalated",
            alert_id=alert["id"],
            level=level,
            to=alert.get("to_facility_id"),
            kind=alert.get("kind", "alert"),
        )
        return "logged"


@dataclass
class WebhookNotifier:
    """POSTs ``{alert, level}`` as JSON to a gateway URL, retrying with a doubling pause.

    With a secret, each attempt is signed (``alerts.webhook``: HMAC-SHA256 over the timestamp
    and the exact body bytes sent); redirects are not followed; ``verify`` is the TLS check
    (a context trusting the county's own CA, or True for the system's).
    """

    url: str
    attempts: int = 3
    first_pause: float = 0.5
    timeout: float = 5.0
    channel: str = "webhook"
    secret: bytes | None = None
    verify: ssl.SSLContext | bool = True
    clock: Callable[[], float] = time.time

    def request(self, alert: dict[str, Any], level: int) -> tuple[bytes, dict[str, str]]:
        """The body and headers of one attempt."""
        body = json.dumps({"alert": alert, "level": level}, separators=(",", ":")).encode()
        headers = {"Content-Type": "application/json"}
        if self.secret is not None:
            headers |= webhook.signed_headers(self.secret, int(self.clock()), body)
        return body, headers

    async def notify(self, alert: dict[str, Any], level: int) -> str:
        pause, last_error = self.first_pause, ""
        async with httpx.AsyncClient(timeout=self.timeout, verify=self.verify) as client:
            for attempt in range(1, self.attempts + 1):
                body, headers = self.request(alert, level)
                try:
                    response = await client.post(self.url, content=body, headers=headers)
                    if response.status_code < 300:
                        return f"delivered on attempt {attempt} ({response.status_code})"
                    last_error = f"HTTP {response.status_code}"
                except httpx.HTTPError as exc:
                    last_error = type(exc).__name__
                if attempt < self.attempts:
                    await asyncio.sleep(pause)
                    pause *= 2
        raise RuntimeError(f"gave up after {self.attempts} attempts: {last_error}")


async def escalate_due(
    sessions: async_sessionmaker[AsyncSession],
    now: datetime,
    reminder: timedelta,
    notifier: Notifier,
    limit: int = 50,
) -> int:
    """Escalate every alert due now (once across processes); returns how many escalated."""
    due: list[tuple[dict[str, Any], int]] = []
    async with sessions() as db, db.begin():
        alerts = (
            await db.scalars(
                select(Alert)
                .where(Alert.status.in_(OPEN_STATUSES), Alert.next_escalation_at <= now)
                .order_by(Alert.next_escalation_at)
                .limit(limit)
                .with_for_update(skip_locked=True)
            )
        ).all()
        for alert in alerts:
            alert.escalation_level += 1
            alert.next_escalation_at = now + reminder
            db.add(
                EscalationStep(
                    alert_id=alert.id,
                    level=alert.escalation_level,
                    channel="event",
                    outcome="alert.escalated to the dispatchers, the receiving team and the sender",
                )
            )
            # every stream of the alert: the sending unit learns it is unanswered (and whom
            # to call), as the dispatchers and the receiving team do
            await service.publish(db, alert, "alert.escalated")
            due.append((service.view(alert), alert.escalation_level))
            log.warning("alert_not_answered", alert_id=alert.id, level=alert.escalation_level)
    for view, level in due:
        try:
            outcome = await notifier.notify(view, level)
        except (RuntimeError, httpx.HTTPError, OSError) as exc:
            outcome = f"failed: {exc}"
        async with sessions() as db, db.begin():
            db.add(
                EscalationStep(
                    alert_id=view["id"], level=level, channel=notifier.channel, outcome=outcome
                )
            )
        log.info("alert_escalation_notified", alert_id=view["id"], level=level, outcome=outcome)
    return len(due)


Escalator = Callable[
    [async_sessionmaker[AsyncSession], datetime, timedelta, Notifier], Awaitable[int]
]


async def run(
    sessions: async_sessionmaker[AsyncSession],
    every: float,
    reminder: timedelta,
    notifier: Notifier,
    clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    escalate: Escalator | None = None,
) -> None:
    """The loop: escalate what is due (alerts, by default; ``escalate``: e.g. unread ECGs)
    every ``every`` seconds, until cancelled; a failed check is logged and tried again."""
    while True:
        step = escalate or escalate_due  # looked up at each turn (a test may replace it)
        try:
            await step(sessions, clock(), reminder, notifier)
        except (SQLAlchemyError, OSError) as exc:
            log.warning("escalation_check_failed", error=type(exc).__name__, what=step.__name__)
        await asyncio.sleep(every)
