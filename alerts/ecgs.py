"""The county's ECG reading network (issue 16; DOMAIN.md, "What the county centre does":
基层检查、上级诊断 — the township records, the county reads).

A township unit or an ambulance on a case sends a tracing (an attachment it uploaded) for
reading: an ``Ecg`` waiting for a reader, a frame ``ecg.received`` on the readers' stream, and
``ecg_transmitted`` stamped on the case (once per case, as an alert carrying an ECG does). The
same file sent again for the same case is the same ECG (a retry never makes a duplicate).

A reader (role ``ecg_reader``) records a finding. The first readable finding stamps
``diagnosis`` on the case, recorded by the reader (once per case: a diagnosis already recorded
stays the case's), so first ECG → diagnosis measures the network. The reading goes back on the
sender's stream (``ecg.read``) and the readers'. A second reading of the same ECG is a
correction: it supersedes the first and needs a reason; nothing is overwritten.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from alerts import stream
from alerts.exceptions import EcgRejected
from alerts.models import Attachment, Ecg, EcgReading
from alerts.service import CaseFacts, CaseLink
from units import scope as units_scope
from units.exceptions import Forbidden, NotFound
from units.models import User
from units.vocabulary import COORDINATOR_ROLES, FACILITY_ROLES, READ_EVERYTHING_ROLES, Role

READERS = frozenset({Role.ecg_reader})
# Who sees every ECG: the readers and the overseers.
SEE_ALL = READERS | READ_EVERYTHING_ROLES
READABLE_FINDINGS = frozenset({"stemi", "no_stemi", "other_critical"})
UNREAD_AFTER = timedelta(minutes=3)  # the default of INFOFIRST_ECG_UNREAD_ESCALATION_SECONDS


@dataclass(frozen=True)
class Submitted:
    ecg: Ecg
    created: bool  # False: the same file was already sent for this case


def _check_sender(user: User, facts: CaseFacts) -> None:
    if user.role in COORDINATOR_ROLES or units_scope.of_ambulance(user, facts.ambulance_id):
        return
    if user.role in FACILITY_ROLES and user.facility_id in facts.facility_ids:
        return
    raise Forbidden(f"the {user.role} role may not send ECGs for this case")


def _origin(user: User, facts: CaseFacts) -> tuple[str | None, str | None]:
    """The sending facility and ambulance (whose streams get the reading back)."""
    if user.role == Role.crew:
        return None, user.ambulance_id
    if user.role in FACILITY_ROLES:
        return user.facility_id, None
    return None, facts.ambulance_id  # a dispatcher sends on behalf of the case's crew


async def submit(
    db: AsyncSession,
    user: User,
    link: CaseLink,
    case_id: int,
    attachment_id: str,
    now: datetime,
    unread_after: timedelta = UNREAD_AFTER,
) -> Submitted:
    """Send the user's uploaded tracing for reading (or return the ECG it already is); unread
    after ``unread_after`` it escalates (alerts/ecg_escalation.py)."""
    facts = await link.facts(db, case_id)
    if facts is None:
        raise NotFound("case", str(case_id))
    _check_sender(user, facts)
    attachment = await db.get(Attachment, attachment_id)
    if attachment is None:
        raise EcgRejected(f"attachment {attachment_id!r} was not uploaded")
    if attachment.uploaded_by != user.username:
        raise EcgRejected(f"attachment {attachment_id!r} was uploaded by someone else")
    earlier = await db.scalar(
        select(Ecg).where(Ecg.case_id == case_id, Ecg.attachment_id == attachment_id)
    )
    if earlier is not None:
        return Submitted(earlier, created=False)
    same_file = await db.scalar(
        select(Ecg)
        .join(Attachment, Attachment.id == Ecg.attachment_id)
        .where(Ecg.case_id == case_id, Attachment.sha256 == attachment.sha256)
    )
    if same_file is not None:  # the same tracing uploaded again (a retried upload)
        return Submitted(same_file, created=False)
    facility_id, ambulance_id = _origin(user, facts)
    ecg = Ecg(
        case_id=case_id,
        attachment_id=attachment_id,
        status="awaiting_reading",
        sent_by=user.username,
        from_facility_id=facility_id,
        from_ambulance_id=ambulance_id,
        drill=facts.drill,
        pathway=facts.pathway,
        complaint=facts.complaint,
        patient_age=facts.patient_age,
        patient_sex=facts.patient_sex,
        received_at=now,
        next_escalation_at=now + unread_after,
    )
    db.add(ecg)
    await db.flush()
    await stream.append(db, [stream.ECG_STREAM], "ecg.received", None, view(ecg, []))
    await link.stamp(db, case_id, "ecg_transmitted", now, user.username, None)
    return Submitted(ecg, created=True)


async def get_ecg(db: AsyncSession, ecg_id: int, lock: bool = False) -> Ecg:
    statement = select(Ecg).where(Ecg.id == ecg_id)
    if lock:
        statement = statement.with_for_update()
    ecg = await db.scalar(statement)
    if ecg is None:
        raise NotFound("ecg", str(ecg_id))
    return ecg


def may_see(user: User, ecg: Ecg) -> bool:
    """Readers and overseers see every ECG; a unit or crew the ones it sent."""
    if user.role in SEE_ALL:
        return True
    if ecg.from_facility_id is not None and units_scope.of_facility(user, ecg.from_facility_id):
        return user.role in FACILITY_ROLES
    return ecg.from_ambulance_id is not None and units_scope.of_ambulance(
        user, ecg.from_ambulance_id
    )


async def readings_of(db: AsyncSession, ecg_ids: Sequence[int]) -> dict[int, list[EcgReading]]:
    """Each ECG's readings, oldest first."""
    rows = await db.scalars(
        select(EcgReading).where(EcgReading.ecg_id.in_(ecg_ids)).order_by(EcgReading.id)
    )
    found: dict[int, list[EcgReading]] = {ecg_id: [] for ecg_id in ecg_ids}
    for reading in rows:
        found[reading.ecg_id].append(reading)
    return found


async def listed(
    db: AsyncSession, user: User, status: str | None, limit: int, case_id: int | None = None
) -> list[tuple[Ecg, list[EcgReading]]]:
    """The ECGs the user may see (of one case, if given), waiting ones oldest first (the
    reading queue), else newest first."""
    statement = select(Ecg)
    if status is not None:
        statement = statement.where(Ecg.status == status)
    if case_id is not None:
        statement = statement.where(Ecg.case_id == case_id)
    if user.role not in SEE_ALL:
        if user.role in FACILITY_ROLES and user.facility_id is not None:
            statement = statement.where(Ecg.from_facility_id == user.facility_id)
        elif user.role == Role.crew and user.ambulance_id is not None:
            statement = statement.where(Ecg.from_ambulance_id == user.ambulance_id)
        else:
            return []
    oldest_first = status == "awaiting_reading"
    statement = statement.order_by(Ecg.received_at if oldest_first else Ecg.received_at.desc())
    ecgs = list((await db.scalars(statement.order_by(Ecg.id).limit(limit))).all())
    readings = await readings_of(db, [e.id for e in ecgs])
    return [(ecg, readings[ecg.id]) for ecg in ecgs]


async def read(
    db: AsyncSession,
    user: User,
    link: CaseLink,
    ecg_id: int,
    finding: str,
    text: str,
    reason: str,
    now: datetime,
) -> tuple[Ecg, list[EcgReading]]:
    """Record a reader's finding (a correction when the ECG was read before: with a reason)."""
    if user.role not in READERS:
        raise Forbidden(f"only the ECG centre's readers read ECGs, not the {user.role} role")
    ecg = await get_ecg(db, ecg_id, lock=True)
    earlier = (await readings_of(db, [ecg.id]))[ecg.id]
    current = _current(earlier)
    if current is not None and not reason.strip():
        raise EcgRejected(
            f"ECG {ecg.id} was read at {current.read_at.isoformat()} ({current.finding}):"
            " a second reading is a correction and needs a reason"
        )
    reading = EcgReading(
        ecg_id=ecg.id,
        finding=finding,
        text=text,
        read_by=user.username,
        read_at=now,
        supersedes=current.id if current is not None else None,
        reason=reason.strip() if current is not None else "",
    )
    db.add(reading)
    ecg.status = "unreadable" if finding == "unreadable" else "read"
    ecg.read_at = now
    ecg.next_escalation_at = None
    await db.flush()
    readings = [*earlier, reading]
    if finding in READABLE_FINDINGS:
        await link.stamp(db, ecg.case_id, "diagnosis", now, user.username, None)
    payload = view(ecg, readings)
    await stream.append(db, [*_sender_streams(ecg), stream.ECG_STREAM], "ecg.read", None, payload)
    return ecg, readings


def _current(readings: Sequence[EcgReading]) -> EcgReading | None:
    """The reading that stands: the latest no other supersedes (None: not read yet)."""
    superseded = {r.supersedes for r in readings}
    return next((r for r in reversed(readings) if r.id not in superseded), None)


def _sender_streams(ecg: Ecg) -> list[str]:
    if ecg.from_facility_id is not None:
        return [stream.facility_stream(ecg.from_facility_id)]
    if ecg.from_ambulance_id is not None:
        return [stream.ambulance_stream(ecg.from_ambulance_id)]
    return []


def view(ecg: Ecg, readings: Sequence[EcgReading]) -> dict[str, Any]:
    """The ECG as clients see it: its current reading first, every reading kept."""
    current = _current(readings)
    return {
        "id": ecg.id,
        "case_id": ecg.case_id,
        "attachment_id": ecg.attachment_id,
        "status": ecg.status,
        "sent_by": ecg.sent_by,
        "from_facility_id": ecg.from_facility_id,
        "from_ambulance_id": ecg.from_ambulance_id,
        "drill": ecg.drill,
        "patient": {
            "pathway": ecg.pathway,
            "complaint": ecg.complaint,
            "age": ecg.patient_age,
            "sex": ecg.patient_sex,
        },
        "received_at": ecg.received_at.isoformat(),
        "read_at": ecg.read_at.isoformat() if ecg.read_at is not None else None,
        "escalation_level": ecg.escalation_level or 0,
        "reading": _reading_view(current) if current is not None else None,
        "readings": [_reading_view(r) for r in readings],
    }


def _reading_view(reading: EcgReading) -> dict[str, Any]:
    return {
        "id": reading.id,
        "finding": reading.finding,
        "text": reading.text,
        "read_by": reading.read_by,
        "read_at": reading.read_at.isoformat(),
        "supersedes": reading.supersedes,
        "reason": reading.reason,
    }
