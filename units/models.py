"""Tables of the units package: facilities, ambulances, their positions, and user accounts."""

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
    func,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Mapped, mapped_column

from geo.orm import Base, sql_in, utc_now_column
from units.vocabulary import (
    AMBULANCE_STATUSES,
    FACILITY_KINDS,
    FACILITY_ROLES,
    FACILITY_STATUSES,
    ROLES,
    Role,
)

# The facility roles in the vocabulary's order (township, cathlab), as the migration has them.
_FACILITY_ROLES = tuple(role for role in Role if role in FACILITY_ROLES)


class Facility(Base):
    """A place patients are treated or ambulances wait: station, clinic, township unit, hospital."""

    __tablename__ = "facilities"
    __table_args__ = (
        CheckConstraint(sql_in("kind", FACILITY_KINDS), name="kind"),
        CheckConstraint(sql_in("status", FACILITY_STATUSES), name="status"),
    )

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    kind: Mapped[str] = mapped_column(String(32))
    capabilities: Mapped[list[str]] = mapped_column(ARRAY(String(32)), default=list)
    status: Mapped[str] = mapped_column(String(16), default="ready")
    name_zh: Mapped[str] = mapped_column(Text)
    name_en: Mapped[str] = mapped_column(Text, default="")
    address: Mapped[str] = mapped_column(Text, default="")
    phone: Mapped[str] = mapped_column(String(32), default="")
    location: Mapped[WKBElement] = mapped_column(
        Geometry("POINT", srid=4326, spatial_index=True), nullable=False
    )
    synthetic: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = utc_now_column()
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), onupdate=func.now()
    )


class Ambulance(Base):
    """A vehicle with its crew's capability, its status and its last known position."""

    __tablename__ = "ambulances"
    __table_args__ = (CheckConstraint(sql_in("status", AMBULANCE_STATUSES), name="status"),)

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    callsign: Mapped[str] = mapped_column(String(64), unique=True)
    station_id: Mapped[str] = mapped_column(ForeignKey("facilities.id"), index=True)
    status: Mapped[str] = mapped_column(String(16), default="available")
    status_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    crew_capability: Mapped[list[str]] = mapped_column(ARRAY(String(32)), default=list)
    position: Mapped[WKBElement | None] = mapped_column(
        Geometry("POINT", srid=4326, spatial_index=True)
    )
    position_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    speed_kmh: Mapped[float | None] = mapped_column(Float)
    heading: Mapped[float | None] = mapped_column(Float)
    synthetic: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = utc_now_column()


class AmbulancePosition(Base):
    """One GPS fix as the ambulance reported it (the track, append-only), partitioned by the
    month it was received (migration 0032; ``units/track_partitions.py`` keeps the months)."""

    __tablename__ = "ambulance_positions"
    __table_args__ = (
        Index("ix_ambulance_positions_track", "ambulance_id", "recorded_at"),
        {"postgresql_partition_by": "RANGE (received_at)"},
    )

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=True)
    ambulance_id: Mapped[str] = mapped_column(ForeignKey("ambulances.id", ondelete="CASCADE"))
    recorded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    received_at: Mapped[datetime] = mapped_column(  # the partition key: part of the key
        DateTime(timezone=True), server_default=func.now(), primary_key=True
    )
    position: Mapped[WKBElement] = mapped_column(
        Geometry("POINT", srid=4326, spatial_index=False), nullable=False
    )
    input_crs: Mapped[str] = mapped_column(String(8), default="wgs84")
    speed_kmh: Mapped[float | None] = mapped_column(Float)
    heading: Mapped[float | None] = mapped_column(Float)
    # who posted it (a user id; migration 0033): the track is its own record, not the audit's
    reported_by: Mapped[int | None] = mapped_column(Integer)


class User(Base):
    """A person who signs in, with a role and, where the role needs one, a facility or ambulance."""

    __tablename__ = "users"
    __table_args__ = (
        CheckConstraint(sql_in("role", ROLES), name="role"),
        CheckConstraint(
            f"NOT {sql_in('role', _FACILITY_ROLES)} OR facility_id IS NOT NULL", name="facility"
        ),
        CheckConstraint(f"role <> '{Role.crew}' OR ambulance_id IS NOT NULL", name="ambulance"),
    )

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    password_hash: Mapped[str] = mapped_column(Text)
    role: Mapped[str] = mapped_column(String(16))
    facility_id: Mapped[str | None] = mapped_column(ForeignKey("facilities.id"))
    ambulance_id: Mapped[str | None] = mapped_column(ForeignKey("ambulances.id"))
    display_name: Mapped[str] = mapped_column(Text, default="")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # Set whenever a password is set: whether it is one of the demo county's passwords (a
    # production server refuses to start while an active user has one).
    demo_password: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = utc_now_column()


class UserSession(Base):
    """One signed-in session: the token's ``jti``, until it expires or is revoked."""

    __tablename__ = "sessions"
    __table_args__ = (
        Index("ix_sessions_user_open", "user_id", postgresql_where=text("revoked_at IS NULL")),
    )

    jti: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    issued_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    # When the session began (a renewed session keeps its first sign-in's time).
    started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    address: Mapped[str] = mapped_column(String(64), default="")
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    revoked_reason: Mapped[str | None] = mapped_column(String(32))
