"""The drills table: one drill of one unit, from its scheduling to its score."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, Boolean, CheckConstraint, DateTime, ForeignKey, Index, String
from sqlalchemy import text as sql_text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from geo.orm import Base, sql_in, utc_now_column

# scheduled -> started -> ended; scheduled or started -> cancelled
DRILL_STATUSES = ("scheduled", "started", "ended", "cancelled")


class Drill(Base):
    """A drill of one unit: when it starts (scheduled or at once, unannounced), its drill case
    once started, and its score (each interval's minutes against its target) once ended."""

    __tablename__ = "drills"
    __table_args__ = (
        CheckConstraint(sql_in("status", DRILL_STATUSES), name="status"),
        CheckConstraint(
            "status = 'scheduled' OR status = 'cancelled' OR case_id IS NOT NULL", name="case"
        ),
        Index("ix_drills_facility_scheduled", "facility_id", "scheduled_at"),
        Index("ix_drills_due", "scheduled_at", postgresql_where=sql_text("status = 'scheduled'")),
        Index(
            "uq_drills_creator_idempotency",
            "created_by",
            "idempotency_key",
            unique=True,
            postgresql_where=sql_text("idempotency_key IS NOT NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=True)
    facility_id: Mapped[str] = mapped_column(ForeignKey("facilities.id"))
    pathway: Mapped[str] = mapped_column(String(32))
    scheduled_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    unannounced: Mapped[bool] = mapped_column(Boolean, default=False)
    status: Mapped[str] = mapped_column(String(16), default="scheduled")
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"), index=True)
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = utc_now_column()
    started_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    ended_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    score: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
    idempotency_key: Mapped[str | None] = mapped_column(String(128))
    request_hash: Mapped[str | None] = mapped_column(String(64))
