"""Use cases of alerts: send, answer, cancel, confirm delivery, follow the ETA, close on arrival.

Every change is committed together with its frames in the streams it concerns (the receiving
facility's, the sending facility's, the dispatchers'), so nothing is "sent" that is not
committed. The case, and what a pathway's alert may be received by (the pathway data), are
reached only through ``CaseLink``, which the app provides.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Collection, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import inspect, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from alerts import stream
from alerts.exceptions import AlertClosed, AlertRejected, KeyReused
from alerts.models import Alert, Attachment, Delivery, StreamEvent
from alerts.schemas import AlertIn
from units import idempotency
from units import scope as units_scope
from units.exceptions import Forbidden, NotFound
from units.models import Facility, User
from units.vocabulary import COORDINATOR_ROLES, FACILITY_ROLES, Role, receiver_tokens

# The answers each status still allows: a team may acknowledge first and activate after.
_ANY_ANSWER = frozenset({"acknowledged", "activated", "declined"})
ANSWERABLE: dict[str, frozenset[str]] = {
    "sent": _ANY_ANSWER,
    "delivered": _ANY_ANSWER,
    "acknowledged": frozenset({"activated", "declined"}),
}


@dataclass(frozen=True)
class CaseFacts:
    pathway: str
    facility_ids: frozenset[str]
    ambulance_id: str | None
    drill: bool
    eta_minutes: float | None
    # What a reader of its ECG is told about the patient (no name, no ID number).
    complaint: str = ""
    patient_age: int | None = None
    patient_sex: str | None = None


@dataclass(frozen=True)
class CaseLink:
    """The one door from alerts to cases: read a case's facts, stamp a milestone on it, and
    the capabilities (any one of them) a facility needs to receive a pathway's alert (None for
    a pathway that does not exist), as the pathway data says."""

    facts: Callable[[AsyncSession, int], Awaitable[CaseFacts | None]]
    stamp: Callable[[AsyncSession, int, str, datetime, str, str | None], Awaitable[None]]
    receivers: Callable[[str], frozenset[str] | None]


def check_receiver(
    pathway: str,
    needed: Collection[str] | None,
    facility_id: str,
    capabilities: Collection[str],
) -> None:
    """AlertRejected unless the facility offers one of the capabilities (or is of one of the
    kinds, ``kind:<kind>``) the pathway's alert needs."""
    if needed is None:
        raise AlertRejected(f"unknown pathway {pathway!r}: no facility receives its alerts")
    if not set(needed) & set(capabilities):
        raise AlertRejected(
            f"{facility_id} cannot receive a {pathway} alert: it needs one of"
            f" {', '.join(sorted(needed))}"
        )


def check_pathway(pathway: str, case_pathway: str, receivers: frozenset[str] | None) -> None:
    """AlertRejected unless ``pathway`` is a known pathway and the case's own."""
    if receivers is None:
        raise AlertRejected(f"unknown pathway {pathway!r}")
    if pathway != case_pathway:
        raise AlertRejected(
            f"a {pathway} alert cannot be sent for a {case_pathway} case: the alert's pathway"
            " is the case's"
        )


def view(alert: Alert) -> dict[str, Any]:
    """The alert as screens show it."""

    def iso(value: datetime | None) -> str | None:
        return None if value is None else value.isoformat()

    return {
        "id": alert.id,
        "case_id": alert.case_id,
        "to_facility_id": alert.to_facility_id,
        "from_facility_id": alert.from_facility_id,
        "from_ambulance_id": alert.from_ambulance_id,
        "sent_by": alert.sent_by,
        "pathway": alert.pathway,
        "summary": alert.summary,
        "vitals": alert.vitals,
        "attachment_ids": list(alert.attachment_ids),
        "eta_minutes": alert.eta_minutes,
        "eta_at": iso(alert.eta_at),
        "status": alert.status,
        "drill": alert.drill,
        "created_at": iso(alert.created_at),
        "delivered_at": iso(alert.delivered_at),
        "answered_at": iso(alert.answered_at),
        "answered_by": alert.answered_by,
        "answer_note": alert.answer_note,
        "closed_at": iso(alert.closed_at),
        "escalation_level": alert.escalation_level,
    }


def streams_of(alert: Alert) -> list[str]:
    """The streams that hear about the alert: receiver first, then sender, then dispatchers."""
    names = [stream.facility_stream(alert.to_facility_id)]
    if alert.from_facility_id and alert.from_facility_id != alert.to_facility_id:
        names.append(stream.facility_stream(alert.from_facility_id))
    names.append(stream.DISPATCH_STREAM)
    return names


async def publish(
    db: AsyncSession, alert: Alert, frame_type: str, only: list[str] | None = None
) -> StreamEvent:
    """Append the alert's current view to its streams; returns the receiver's frame."""
    await db.flush()
    if inspect(alert).expired_attributes:  # else every column is loaded as it was written
        await db.refresh(alert)
    payload = view(alert)
    frames = await stream.append(db, only or streams_of(alert), frame_type, alert.id, payload)
    return frames[0]


async def get_alert(db: AsyncSession, alert_id: int, lock: bool = False) -> Alert:
    statement = select(Alert).where(Alert.id == alert_id)
    if lock:  # what the lock guards is read afresh, even if the session had read it before
        statement = statement.with_for_update().execution_options(populate_existing=True)
    alert = await db.scalar(statement)
    if alert is None:
        raise NotFound("alert", str(alert_id))
    return alert


async def _check_sender(db: AsyncSession, user: User, data: AlertIn, facts: CaseFacts) -> None:
    if user.role in COORDINATOR_ROLES or units_scope.of_ambulance(user, facts.ambulance_id):
        return
    if user.role in FACILITY_ROLES and user.facility_id in facts.facility_ids:
        return
    raise Forbidden(f"the {user.role} role may not send alerts for this case")


async def send(
    db: AsyncSession,
    user: User,
    data: AlertIn,
    link: CaseLink,
    now: datetime,
    ack_timeout: timedelta,
    idempotency_key: str | None,
    fingerprint: str,
) -> tuple[Alert, StreamEvent, bool]:
    """Send (or, for a retried key, return) an alert; stamps ``prealert_sent`` on the case, and
    ``ecg_transmitted`` when it carries an attachment (once per case)."""

    # Authorisation first: a retry is answered only to a user who may still send it.
    facts = await link.facts(db, data.case_id)
    if facts is None:
        raise NotFound("case", str(data.case_id))
    await _check_sender(db, user, data, facts)

    async def values() -> dict[str, Any]:
        check_pathway(data.pathway, facts.pathway, link.receivers(data.pathway))
        destination = await db.get(Facility, data.to_facility_id)
        if destination is None:
            raise NotFound("facility", data.to_facility_id)
        check_receiver(
            data.pathway,
            link.receivers(data.pathway),
            destination.id,
            receiver_tokens(destination.capabilities, destination.kind),
        )
        for attachment_id in data.attachment_ids:
            attachment = await db.get(Attachment, attachment_id)
            if attachment is None:
                raise AlertRejected(f"attachment {attachment_id!r} was not uploaded")
            if attachment.uploaded_by != user.username:
                raise AlertRejected(
                    f"attachment {attachment_id!r} was uploaded by someone else: attach your own"
                )
        return _row(user, data, facts, destination.id, now, ack_timeout)

    # The key is the sender's own: another user's equal key is another request, never a replay.
    keyed = idempotency.Keyed(idempotency_key, fingerprint, scope={"sent_by": user.username})
    reused = KeyReused("this Idempotency-Key was already used for a different alert")
    alert, replayed = await idempotency.write_once(db, Alert, keyed, values, reused)
    if replayed:
        return alert, await _created_frame(db, alert), True
    await link.stamp(db, alert.case_id, "prealert_sent", now, user.username, None)
    if alert.attachment_ids:  # the ECG went ahead with the alert (the case keeps the first)
        await link.stamp(db, alert.case_id, "ecg_transmitted", now, user.username, None)
    # The frames last: appending takes the streams' heads' row locks until the commit, and
    # every alert to a facility (and every alert, on the dispatch stream) waits for them, so
    # the stamps and their read model are written before, under the case's lock alone.
    frame = await publish(db, alert, "alert.created")
    return alert, frame, False


def _row(
    user: User,
    data: AlertIn,
    facts: CaseFacts,
    to_facility_id: str,
    now: datetime,
    ack_timeout: timedelta,
) -> dict[str, Any]:
    """The new alert's columns (besides its key and fingerprint)."""
    eta = data.eta_minutes if data.eta_minutes is not None else facts.eta_minutes
    return {
        "case_id": data.case_id,
        "to_facility_id": to_facility_id,
        "from_facility_id": user.facility_id if user.role in FACILITY_ROLES else None,
        "from_ambulance_id": user.ambulance_id if user.role == Role.crew else facts.ambulance_id,
        "sent_by": user.username,
        "pathway": data.pathway,
        "summary": data.summary,
        "vitals": data.vitals,
        "attachment_ids": data.attachment_ids,
        "eta_minutes": eta,
        "eta_at": None if eta is None else now + timedelta(minutes=eta),
        "status": "sent",
        "drill": facts.drill,
        "created_at": now,
        "answer_note": "",
        "escalation_level": 0,
        "next_escalation_at": now + ack_timeout,
    }


async def _created_frame(db: AsyncSession, alert: Alert) -> StreamEvent:
    """The receiver's first frame of the alert (what a replayed send answers with)."""
    created = await db.scalar(
        select(StreamEvent).where(
            StreamEvent.alert_id == alert.id,
            StreamEvent.type == "alert.created",
            StreamEvent.stream == stream.facility_stream(alert.to_facility_id),
        )
    )
    if created is None:
        raise AlertRejected("the alert's first frame is missing")
    return created


def _receiver(user: User, alert: Alert) -> None:
    if user.role == Role.admin or units_scope.of_facility(user, alert.to_facility_id):
        return
    raise Forbidden(f"only the receiving team of {alert.to_facility_id} answers this alert")


async def answer(
    db: AsyncSession,
    user: User,
    alert_id: int,
    action: str,
    note: str,
    link: CaseLink,
    now: datetime,
) -> tuple[Alert, StreamEvent]:
    """Acknowledge, activate or decline; activation stamps ``cathlab_activated``."""
    alert = await get_alert(db, alert_id, lock=True)
    _receiver(user, alert)
    allowed = ANSWERABLE.get(alert.status, frozenset())
    if action not in allowed:
        raise AlertClosed(
            f"the alert is {alert.status}: it can no longer be {action}"
            + (f" (allowed now: {', '.join(sorted(allowed))})" if allowed else "")
        )
    alert.status, alert.answered_at, alert.answered_by = action, now, user.username
    alert.answer_note = note
    alert.next_escalation_at = None
    frame = await publish(db, alert, "alert.acknowledged")
    if action == "activated":
        await link.stamp(
            db, alert.case_id, "cathlab_activated", now, user.username, alert.to_facility_id
        )
    return alert, frame


async def cancel(db: AsyncSession, user: User, alert_id: int, reason: str, now: datetime) -> Alert:
    """Cancel an alert (its sender, a dispatcher or an admin)."""
    alert = await get_alert(db, alert_id, lock=True)
    if user.role not in COORDINATOR_ROLES and user.username != alert.sent_by:
        raise Forbidden("only the sender or a dispatcher cancels an alert")
    if alert.closed_at is not None:
        raise AlertClosed(f"the alert is already {alert.status}")
    alert.status, alert.closed_at, alert.next_escalation_at = "cancelled", now, None
    alert.answer_note = reason
    await publish(db, alert, "alert.cancelled")
    return alert


async def confirm_delivery(
    db: AsyncSession, user: User, stream_name: str, seq: int, now: datetime
) -> bool:
    """A receiving team's screen showed frame ``seq`` of its own stream: record it once per
    alert and user; the first one marks the alert delivered. From anyone else (a dispatcher's
    or auditor's screen, another facility) nothing is written; whether it was recorded."""
    event = await db.get(StreamEvent, (stream_name, seq))
    if event is None or event.alert_id is None:
        return False
    alert = await get_alert(db, event.alert_id, lock=True)
    receiver = stream.facility_stream(alert.to_facility_id)
    if stream_name != receiver or not units_scope.of_facility(user, alert.to_facility_id):
        return False
    inserted = await db.scalar(
        insert(Delivery)
        .values(alert_id=alert.id, stream=stream_name, seq=seq, confirmed_by=user.username)
        .on_conflict_do_nothing(index_elements=["alert_id", "confirmed_by"])
        .returning(Delivery.id)
    )
    if alert.status == "sent":
        alert.status, alert.delivered_at = "delivered", now
        await publish(db, alert, "alert.updated")
    return inserted is not None


async def _open_alerts_of(db: AsyncSession, case_id: int) -> Sequence[Alert]:
    """The case's alerts not closed yet, locked for this transaction."""
    return (
        await db.scalars(
            select(Alert)
            .where(Alert.case_id == case_id, Alert.closed_at.is_(None))
            .with_for_update()
        )
    ).all()


async def follow_eta(db: AsyncSession, case_id: int, eta_minutes: float, eta_at: datetime) -> None:
    """Pass a changed ETA to the case's open alerts (at most one frame a minute per alert)."""
    for alert in await _open_alerts_of(db, case_id):
        if alert.eta_at is not None and abs((alert.eta_at - eta_at).total_seconds()) < 60:
            continue
        alert.eta_minutes, alert.eta_at = round(eta_minutes, 1), eta_at
        await publish(db, alert, "alert.updated")


async def close_with_case(db: AsyncSession, case_id: int, at: datetime) -> None:
    """The case was closed: its alerts still open leave the screens (their answer stays)."""
    for alert in await _open_alerts_of(db, case_id):
        alert.closed_at, alert.next_escalation_at = at, None
        await publish(db, alert, "alert.updated")


async def close_on_arrival(db: AsyncSession, case_id: int, facility_id: str, at: datetime) -> None:
    """The patient came through the receiving facility's door: its alerts are closed."""
    alerts = (
        await db.scalars(
            select(Alert)
            .where(
                Alert.case_id == case_id,
                Alert.to_facility_id == facility_id,
                Alert.closed_at.is_(None),
            )
            .with_for_update()
        )
    ).all()
    for alert in alerts:
        alert.status, alert.closed_at, alert.next_escalation_at = "arrived", at, None
        await publish(db, alert, "alert.updated")


async def cancel_open_of_case(db: AsyncSession, case_id: int, reason: str, now: datetime) -> int:
    """The case was cancelled (its caller checked who may): its open alerts are cancelled with
    the same reason, each announced on its streams; how many."""
    alerts = await _open_alerts_of(db, case_id)
    for alert in alerts:
        alert.status, alert.closed_at, alert.next_escalation_at = "cancelled", now, None
        alert.answer_note = reason
        await publish(db, alert, "alert.cancelled")
    return len(alerts)
