"""Unread ECGs escalate (issue 16): a tracing sent for reading that nobody read within
``INFOFIRST_ECG_UNREAD_ESCALATION_SECONDS`` (3 minutes by default) is announced to the readers
on duty and the dispatchers (frame ``ecg.escalated`` on both streams) and through the
escalation notifier (the webhook, for SMS or phone), then again every reminder interval until
it is read — as an unanswered alert does (``alerts/escalation.py``).

The readers on duty are those with a rota shift covering the moment (``alerts/ecg_rota.py``).
The frame and the webhook's payload name them (``to_readers``) and say whether they are the
readers on duty (``readers_on_duty: true``) or, nobody being on duty, every active reader
(``false``, with a warning ``ecg_escalation_nobody_on_duty`` in the log): never nobody. The
/ecg page of a reader named there shows the escalation; the others' pages do not.

Each server process runs the check; ``FOR UPDATE SKIP LOCKED`` makes each step happen once.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import httpx
import structlog
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from alerts import ecg_rota, ecgs, stream
from alerts.escalation import Notifier
from alerts.models import Ecg

log = structlog.get_logger(__name__)


async def escalate_unread(
    sessions: async_sessionmaker[AsyncSession],
    now: datetime,
    reminder: timedelta,
    notifier: Notifier,
    limit: int = 50,
) -> int:
    """Escalate every unread ECG due now (once across processes); returns how many."""
    due: list[tuple[dict[str, Any], int]] = []
    async with sessions() as db, db.begin():
        unread = (
            await db.scalars(
                select(Ecg)
                .where(Ecg.status == "awaiting_reading", Ecg.next_escalation_at <= now)
                .order_by(Ecg.next_escalation_at)
                .limit(limit)
                .with_for_update(skip_locked=True)
            )
        ).all()
        if not unread:
            return 0
        to = await ecg_rota.recipients(db, now)
        for ecg in unread:
            ecg.escalation_level = (ecg.escalation_level or 0) + 1
            ecg.next_escalation_at = now + reminder
            view = {
                **ecgs.view(ecg, []),
                "to_readers": list(to.readers),
                "readers_on_duty": to.on_duty,
            }
            streams = [stream.ECG_STREAM, stream.DISPATCH_STREAM]
            await stream.append(db, streams, "ecg.escalated", None, view)
            due.append((view, ecg.escalation_level))
            log.warning("ecg_not_read", ecg_id=ecg.id, level=ecg.escalation_level)
            if not to.on_duty:
                log.warning(
                    "ecg_escalation_nobody_on_duty",
                    ecg_id=ecg.id,
                    escalation_level=ecg.escalation_level,
                    to_readers=list(to.readers),
                )
    for view, level in due:
        try:
            outcome = await notifier.notify({**view, "kind": "ecg"}, level)
        except (RuntimeError, httpx.HTTPError, OSError) as exc:
            outcome = f"failed: {exc}"
        log.info("ecg_escalation_notified", ecg_id=view["id"], level=level, outcome=outcome)
    return len(due)
