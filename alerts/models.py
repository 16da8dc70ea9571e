"""Tables of information before the patient: attachments, alerts, the durable stream."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB
from sqlalchemy.orm import Mapped, mapped_column

from geo.orm import Base, sql_in, utc_now_column

ALERT_STATUSES = (
    "sent",
    "delivered",
    "acknowledged",
    "activated",
    "declined",
    "cancelled",
    "arrived",
)
OPEN_STATUSES = ("sent", "delivered")  # not yet answered by the receiving team
ACK_ACTIONS = ("acknowledged", "activated", "declined")
FRAME_TYPES = (
    "alert.created",
    "alert.updated",
    "alert.acknowledged",
    "alert.cancelled",
    "alert.escalated",
)
# Frames of an ambulance crew's stream (``ambulance:<id>``): a case, not an alert.
MISSION_FRAME_TYPES = ("mission.assigned", "mission.released")
# ECGs sent to the county's ECG centre for reading (issue 16): waiting, then read.
ECG_STATUSES = ("awaiting_reading", "read", "unreadable")
ECG_FINDINGS = ("stemi", "no_stemi", "other_critical", "unreadable")


class Attachment(Base):
    """An ECG image, PDF or waveform, checked by its content, kept as sent with its sha256; a
    waveform (DICOM, aECG) also with its drawing on ECG paper (``rendition``, a PNG)."""

    __tablename__ = "attachments"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    content_type: Mapped[str] = mapped_column(String(32))
    size: Mapped[int] = mapped_column(Integer)
    filename: Mapped[str] = mapped_column(Text, default="")
    content: Mapped[bytes] = mapped_column(LargeBinary)
    rendition: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)
    uploaded_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = utc_now_column()


class Alert(Base):
    """A pre-alert from a township unit or an ambulance to a receiving facility."""

    __tablename__ = "alerts"
    __table_args__ = (
        CheckConstraint(sql_in("status", ALERT_STATUSES), name="status"),
        Index("ix_alerts_to_status", "to_facility_id", "status"),
        Index("ix_alerts_escalation", "next_escalation_at"),
        # Idempotency-Keys are the sender's own: another user's equal key is another request.
        Index(
            "uq_alerts_sender_idempotency",
            "sent_by",
            "idempotency_key",
            unique=True,
            postgresql_where=text("idempotency_key IS NOT NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    to_facility_id: Mapped[str] = mapped_column(ForeignKey("facilities.id"))
    from_facility_id: Mapped[str | None] = mapped_column(ForeignKey("facilities.id"))
    from_ambulance_id: Mapped[str | None] = mapped_column(ForeignKey("ambulances.id"))
    sent_by: Mapped[str] = mapped_column(String(64))
    pathway: Mapped[str] = mapped_column(String(32))
    summary: Mapped[str] = mapped_column(Text)
    vitals: Mapped[dict[str, Any]] = mapped_column(JSONB, default=dict)
    attachment_ids: Mapped[list[str]] = mapped_column(ARRAY(String(36)), default=list)
    eta_minutes: Mapped[float | None] = mapped_column(Float)
    eta_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    status: Mapped[str] = mapped_column(String(16), default="sent")
    drill: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = utc_now_column()
    delivered_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    answered_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    answered_by: Mapped[str | None] = mapped_column(String(64))
    answer_note: Mapped[str] = mapped_column(Text, default="")
    closed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    escalation_level: Mapped[int] = mapped_column(Integer, default=0)
    next_escalation_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    idempotency_key: Mapped[str | None] = mapped_column(String(128))
    request_hash: Mapped[str | None] = mapped_column(String(64))


class StreamHead(Base):
    """The last sequence number (and epoch) of one stream: a facility's, or the dispatchers'."""

    __tablename__ = "alert_stream_heads"

    stream: Mapped[str] = mapped_column(String(80), primary_key=True)
    epoch: Mapped[int] = mapped_column(BigInteger)
    last_seq: Mapped[int] = mapped_column(BigInteger, default=0)


class StreamEvent(Base):
    """One frame of a stream, committed in the same transaction as the change it reports."""

    __tablename__ = "alert_stream"

    stream: Mapped[str] = mapped_column(String(80), primary_key=True)
    seq: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    epoch: Mapped[int] = mapped_column(BigInteger)
    type: Mapped[str] = mapped_column(String(24))
    # Empty for a crew's mission frames (migration 0019).
    alert_id: Mapped[int | None] = mapped_column(ForeignKey("alerts.id"), index=True)
    payload: Mapped[dict[str, Any]] = mapped_column(JSONB)
    created_at: Mapped[datetime] = utc_now_column()


class Delivery(Base):
    """A screen's confirmation that it showed a frame."""

    __tablename__ = "alert_deliveries"
    # One confirmation per alert and user of the receiving team (a repeat adds nothing).
    __table_args__ = (
        Index("uq_alert_deliveries_alert_user", "alert_id", "confirmed_by", unique=True),
    )

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=True)
    alert_id: Mapped[int] = mapped_column(ForeignKey("alerts.id"), index=True)
    stream: Mapped[str] = mapped_column(String(80))
    seq: Mapped[int] = mapped_column(BigInteger)
    confirmed_by: Mapped[str] = mapped_column(String(64))
    confirmed_at: Mapped[datetime] = utc_now_column()


class EscalationStep(Base):
    """One step of an unanswered alert's escalation (event, reminder, outbound notification)."""

    __tablename__ = "alert_escalations"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=True)
    alert_id: Mapped[int] = mapped_column(ForeignKey("alerts.id"), index=True)
    level: Mapped[int] = mapped_column(Integer)
    channel: Mapped[str] = mapped_column(String(32))
    outcome: Mapped[str] = mapped_column(Text)
    at: Mapped[datetime] = utc_now_column()


class Ecg(Base):
    """A tracing a township unit or an ambulance sent to the county's ECG centre for reading
    (基层检查、上级诊断). One per case and file: sending the same file again is the same ECG."""

    __tablename__ = "ecgs"
    __table_args__ = (
        CheckConstraint(sql_in("status", ECG_STATUSES), name="status"),
        Index("uq_ecgs_case_attachment", "case_id", "attachment_id", unique=True),
        Index(
            "ix_ecgs_escalation",
            "next_escalation_at",
            postgresql_where=text("status = 'awaiting_reading'"),
        ),
        Index(
            "ix_ecgs_waiting", "received_at", postgresql_where=text("status = 'awaiting_reading'")
        ),
    )

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    attachment_id: Mapped[str] = mapped_column(ForeignKey("attachments.id"))
    status: Mapped[str] = mapped_column(String(20), default="awaiting_reading")
    sent_by: Mapped[str] = mapped_column(String(64))
    from_facility_id: Mapped[str | None] = mapped_column(ForeignKey("facilities.id"))
    from_ambulance_id: Mapped[str | None] = mapped_column(ForeignKey("ambulances.id"))
    drill: Mapped[bool] = mapped_column(Boolean, default=False)
    # The patient as the sender knew them when sending (what the reader is shown).
    pathway: Mapped[str] = mapped_column(String(32))
    complaint: Mapped[str] = mapped_column(Text, default="")
    patient_age: Mapped[int | None] = mapped_column(Integer)
    patient_sex: Mapped[str | None] = mapped_column(String(8))
    received_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    read_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # Unread escalation (alerts/ecg_escalation.py): when the next step is due, and how many ran.
    next_escalation_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    escalation_level: Mapped[int] = mapped_column(Integer, default=0)


class EcgReading(Base):
    """A reader's finding on an ECG. Never overwritten: a second reading supersedes the first,
    with a reason (a correction)."""

    __tablename__ = "ecg_readings"
    __table_args__ = (
        CheckConstraint(sql_in("finding", ECG_FINDINGS), name="finding"),
        CheckConstraint("supersedes IS NULL OR reason <> ''", name="reason"),
        Index("uq_ecg_readings_supersedes", "supersedes", unique=True),
    )

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=True)
    ecg_id: Mapped[int] = mapped_column(ForeignKey("ecgs.id"), index=True)
    finding: Mapped[str] = mapped_column(String(20))
    text: Mapped[str] = mapped_column(Text, default="")
    read_by: Mapped[str] = mapped_column(String(64))
    read_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    supersedes: Mapped[int | None] = mapped_column(ForeignKey("ecg_readings.id"))
    reason: Mapped[str] = mapped_column(Text, default="")


# The rota's shift labels (alerts/ecg_rota.py): which half of the day a shift starts in.
SHIFT_LABELS = ("day", "night")


class EcgRotaShift(Base):
    """One shift of one ECG reader on the county ECG centre's rota: on duty in [starts_at,
    ends_at) (half-open: a reading at ends_at belongs to the next shift). Migration 0030 also
    refuses overlapping shifts of one reader (an exclusion constraint)."""

    __tablename__ = "ecg_rota_shifts"
    __table_args__ = (
        CheckConstraint("ends_at > starts_at", name="order"),
        CheckConstraint("ends_at - starts_at <= interval '24 hours'", name="length"),
        CheckConstraint(sql_in("label", SHIFT_LABELS), name="label"),
        Index("ix_ecg_rota_shifts_ends_at", "ends_at", "starts_at"),
    )

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    starts_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    ends_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    label: Mapped[str] = mapped_column(String(8))
    note: Mapped[str] = mapped_column(Text, default="")
    # A demo county's shift (dispatch/demo): synthetic, removed by ``demo load --reset``.
    synthetic: Mapped[bool] = mapped_column(Boolean, default=False)
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = utc_now_column()
