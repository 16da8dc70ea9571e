"""The reports' read model: one row per case and one per case × metric, kept current with the
case's stamps in the same transaction (``readmodel.refresh_case``), so a report is SQL
aggregation over these rows and never a loop over cases.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    SmallInteger,
    String,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Mapped, mapped_column

from geo.orm import Base


class ReportCase(Base):
    """A case as the reports see it: its pathway, facility, reference time, data-quality counts."""

    __tablename__ = "report_cases"
    __table_args__ = (Index("ix_report_cases_ref_at", "ref_at"),)

    case_id: Mapped[int] = mapped_column(
        ForeignKey("cases.id", ondelete="CASCADE"), primary_key=True
    )
    pathway: Mapped[str] = mapped_column(String(32))
    drill: Mapped[bool] = mapped_column(Boolean)
    facility_id: Mapped[str | None] = mapped_column(String(64))
    ref_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    month: Mapped[date] = mapped_column(Date)
    missing: Mapped[int] = mapped_column(Integer)
    out_of_order: Mapped[int] = mapped_column(Integer)
    clock_skew: Mapped[int] = mapped_column(Integer)
    corrections: Mapped[int] = mapped_column(Integer)
    findings: Mapped[list[str]] = mapped_column(ARRAY(String(80)))
    # The facilities the case names (its own and its facts'): whose reports count it (0034).
    facilities: Mapped[list[str]] = mapped_column(ARRAY(String(64)), server_default=text("'{}'"))


class ReportFact(Base):
    """One metric of one case: an interval (minutes, met) or a rate flag (met only)."""

    __tablename__ = "report_facts"
    __table_args__ = (
        Index("ix_report_facts_ref_at", "ref_at"),
        Index(
            "ix_report_facts_rank",
            "pathway",
            "name",
            "minutes",
            postgresql_include=["month", "facility_id", "ref_at", "drill", "met"],
        ),
        Index(
            "ix_report_facts_outside",
            "pathway",
            "name",
            text("minutes DESC"),
            postgresql_where=text("met IS FALSE"),
        ),
    )

    case_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("cases.id", ondelete="CASCADE"), primary_key=True
    )
    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    leg: Mapped[int] = mapped_column(SmallInteger, primary_key=True)
    pathway: Mapped[str] = mapped_column(String(32))
    drill: Mapped[bool] = mapped_column(Boolean)
    facility_id: Mapped[str | None] = mapped_column(String(64))
    ref_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    month: Mapped[date] = mapped_column(Date)
    minutes: Mapped[float | None] = mapped_column(Float)
    target_minutes: Mapped[float | None] = mapped_column(Float)
    met: Mapped[bool | None] = mapped_column(Boolean)
    start_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    end_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
