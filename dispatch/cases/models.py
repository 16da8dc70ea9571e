"""Tables of the cases: the patient's episode and its append-only time stamps."""

from __future__ import annotations

from datetime import datetime

from geoalchemy2 import Geometry, WKBElement
from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Mapped, mapped_column

from geo.orm import Base, sql_in, utc_now_column

CASE_STATUSES = ("active", "closed")
EVENT_SOURCES = ("user", "ambulance_status", "dispatch", "alert", "system")


class Case(Base):
    """One patient's episode, from the call (or the door) to the end of treatment."""

    __tablename__ = "cases"
    __table_args__ = (
        CheckConstraint(sql_in("status", CASE_STATUSES), name="status"),
        Index("ix_cases_status_created", "status", "created_at"),
        # Idempotency-Keys are the creator's own: another user's equal key is another request.
        Index(
            "uq_cases_creator_idempotency",
            "created_by",
            "idempotency_key",
            unique=True,
            postgresql_where=text("idempotency_key IS NOT NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=True)
    pathway: Mapped[str] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(16), default="active")
    drill: Mapped[bool] = mapped_column(Boolean, default=False)
    synthetic: Mapped[bool] = mapped_column(Boolean, default=False)
    location: Mapped[WKBElement] = mapped_column(
        Geometry("POINT", srid=4326, spatial_index=True), nullable=False
    )
    input_crs: Mapped[str] = mapped_column(String(8), default="wgs84")
    complaint: Mapped[str] = mapped_column(Text, default="")
    patient_age: Mapped[int | None] = mapped_column(Integer)
    patient_sex: Mapped[str | None] = mapped_column(String(8))
    # Personal data (issue 13): read only by the case's parties, never in the audit's before/after.
    patient_name: Mapped[str | None] = mapped_column(String(64))
    patient_id_number: Mapped[str | None] = mapped_column(String(18))
    caller_phone: Mapped[str | None] = mapped_column(String(32))
    address: Mapped[str | None] = mapped_column(String(200))
    created_by: Mapped[str] = mapped_column(String(64))
    created_facility_id: Mapped[str | None] = mapped_column(ForeignKey("facilities.id"))
    created_at: Mapped[datetime] = utc_now_column()
    closed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    idempotency_key: Mapped[str | None] = mapped_column(String(128))
    request_hash: Mapped[str | None] = mapped_column(String(64))
    ambulance_id: Mapped[str | None] = mapped_column(ForeignKey("ambulances.id"), index=True)
    ambulance_released_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    destination_facility_id: Mapped[str | None] = mapped_column(ForeignKey("facilities.id"))
    eta_minutes: Mapped[float | None] = mapped_column(Float)
    eta_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    eta_updated_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # Clinical findings the decision rules use.
    killip_class: Mapped[int | None] = mapped_column(Integer)
    lysis_contraindicated: Mapped[bool | None] = mapped_column(Boolean)
    # Late presentation (onset > 12 h): primary PCI only with ongoing ischaemia, heart failure,
    # shock or a life-threatening arrhythmia (ESC 2023; DOMAIN.md)
    ongoing_ischaemia: Mapped[bool | None] = mapped_column(Boolean)
    arrhythmia: Mapped[bool | None] = mapped_column(Boolean)
    stroke_scale: Mapped[str | None] = mapped_column(String(16))
    stroke_score: Mapped[int | None] = mapped_column(Integer)
    last_known_well_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class CaseEvent(Base):
    """One time stamp, never edited: a correction is a new event that supersedes it."""

    __tablename__ = "case_events"
    __table_args__ = (
        CheckConstraint(sql_in("source", EVENT_SOURCES), name="source"),
        Index("ix_case_events_case_at", "case_id", "at"),
        Index(
            "uq_case_events_idempotency",
            "case_id",
            "recorded_by",
            "idempotency_key",
            unique=True,
            postgresql_where=text("idempotency_key IS NOT NULL"),
        ),
        Index(
            "uq_case_events_supersedes",
            "supersedes",
            unique=True,
            postgresql_where=text("supersedes IS NOT NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="RESTRICT"))
    milestone: Mapped[str] = mapped_column(String(32))
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    received_at: Mapped[datetime] = utc_now_column()
    device_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    recorded_by: Mapped[str] = mapped_column(String(64))
    source: Mapped[str] = mapped_column(String(20), default="user")
    facility_id: Mapped[str | None] = mapped_column(ForeignKey("facilities.id"))
    note: Mapped[str] = mapped_column(Text, default="")
    supersedes: Mapped[int | None] = mapped_column(ForeignKey("case_events.id"))
    reason: Mapped[str] = mapped_column(Text, default="")
    flags: Mapped[list[str]] = mapped_column(ARRAY(String(32)), default=list)
    idempotency_key: Mapped[str | None] = mapped_column(String(128))
    request_hash: Mapped[str | None] = mapped_column(String(64))


CASE_ACTIONS = ("transfer", "close", "reopen")


class CaseAction(Base):
    """An explicit action on a case, kept forever: a transfer (the one way a facility becomes a
    party of the case), a close or a reopen (so ``closed_at`` and its history are never lost)."""

    __tablename__ = "case_actions"
    __table_args__ = (
        CheckConstraint(sql_in("action", CASE_ACTIONS), name="action"),
        CheckConstraint("action <> 'transfer' OR facility_id IS NOT NULL", name="facility"),
        Index("ix_case_actions_case_id", "case_id", "id"),
        Index(
            "ix_case_actions_facility_id",
            "facility_id",
            postgresql_where=text("facility_id IS NOT NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"))
    action: Mapped[str] = mapped_column(String(16))
    facility_id: Mapped[str | None] = mapped_column(ForeignKey("facilities.id"))
    reason: Mapped[str] = mapped_column(Text, default="")
    by_user: Mapped[str] = mapped_column(String(64))
    by_role: Mapped[str] = mapped_column(String(16))
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class DelayReason(Base):
    """Why a case missed an interval's target (issue 14): a coded reason from the CPC data
    platform's list and a note; one per case, interval and facility (DIDO is per visit; the
    empty facility key stands for an interval of the whole case). Changes are audited."""

    __tablename__ = "delay_reasons"
    __table_args__ = (
        Index("uq_delay_reasons_case_metric", "case_id", "metric", "facility_key", unique=True),
    )

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="RESTRICT"))
    metric: Mapped[str] = mapped_column(String(64))
    facility_key: Mapped[str] = mapped_column(String(64), default="")
    code: Mapped[str] = mapped_column(String(32))
    note: Mapped[str] = mapped_column(Text, default="")
    recorded_by: Mapped[str] = mapped_column(String(64))
    recorded_at: Mapped[datetime] = utc_now_column()
