"""Foundation: places, facilities, ambulances and their positions, users.

Revision ID: 0001
Revises:
Create Date: 2026-11-24
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from geoalchemy2 import Geometry
from sqlalchemy.dialects import postgresql

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


def _point(name: str, nullable: bool = False) -> sa.Column:
    return sa.Column(
        name, Geometry("POINT", srid=4326, spatial_index=False), nullable=nullable
    )


def _now(name: str) -> sa.Column:
    return sa.Column(
        name, sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
    )


def upgrade() -> None:
    op.execute("CREATE EXTENSION IF NOT EXISTS postgis")

    op.create_table(
        "places",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("name_zh", sa.Text(), nullable=False),
        sa.Column("pinyin", sa.Text(), nullable=False),
        sa.Column("initials", sa.String(32), nullable=False),
        sa.Column("township_zh", sa.Text(), nullable=False),
        sa.Column("population", sa.Integer()),
        _point("location"),
        sa.Column("synthetic", sa.Boolean(), nullable=False),
        _now("created_at"),
        sa.CheckConstraint(_in("kind", ("county", "township", "village")), name="ck_places_kind"),
    )
    op.create_index("ix_places_pinyin", "places", ["pinyin"])
    op.create_index("ix_places_name_zh", "places", ["name_zh"])
    op.create_index("idx_places_location", "places", ["location"], postgresql_using="gist")

    op.create_table(
        "facilities",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("capabilities", postgresql.ARRAY(sa.String(32)), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("name_zh", sa.Text(), nullable=False),
        sa.Column("name_en", sa.Text(), nullable=False),
        sa.Column("address", sa.Text(), nullable=False),
        sa.Column("phone", sa.String(32), nullable=False),
        _point("location"),
        sa.Column("synthetic", sa.Boolean(), nullable=False),
        _now("created_at"),
        _now("updated_at"),
        sa.CheckConstraint(
            _in(
                "kind",
                (
                    "ambulance_station",
                    "village_clinic",
                    "township_unit",
                    "county_hospital",
                    "city_hospital",
                ),
            ),
            name="ck_facilities_kind",
        ),
        sa.CheckConstraint(
            _in("status", ("ready", "busy", "offline")), name="ck_facilities_status"
        ),
    )
    op.create_index(
        "idx_facilities_location", "facilities", ["location"], postgresql_using="gist"
    )

    op.create_table(
        "ambulances",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("callsign", sa.String(64), nullable=False, unique=True),
        sa.Column("station_id", sa.String(64), sa.ForeignKey("facilities.id"), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("status_at", sa.DateTime(timezone=True)),
        sa.Column("crew_capability", postgresql.ARRAY(sa.String(32)), nullable=False),
        _point("position", nullable=True),
        sa.Column("position_at", sa.DateTime(timezone=True)),
        sa.Column("speed_kmh", sa.Float()),
        sa.Column("heading", sa.Float()),
        sa.Column("synthetic", sa.Boolean(), nullable=False),
        _now("created_at"),
        sa.CheckConstraint(
            _in(
                "status",
                (
                    "available",
                    "dispatched",
                    "en_route",
                    "on_scene",
                    "transporting",
                    "at_destination",
                    "returning",
                    "out_of_service",
                ),
            ),
            name="ck_ambulances_status",
        ),
    )
    op.create_index("ix_ambulances_station_id", "ambulances", ["station_id"])
    op.create_index(
        "idx_ambulances_position", "ambulances", ["position"], postgresql_using="gist"
    )

    op.create_table(
        "ambulance_positions",
        sa.Column("id", sa.BigInteger(), primary_key=True, autoincrement=True),
        sa.Column(
            "ambulance_id",
            sa.String(64),
            sa.ForeignKey("ambulances.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        _now("received_at"),
        _point("position"),
        sa.Column("input_crs", sa.String(8), nullable=False),
        sa.Column("speed_kmh", sa.Float()),
        sa.Column("heading", sa.Float()),
    )
    op.create_index(
        "ix_ambulance_positions_track", "ambulance_positions", ["ambulance_id", "recorded_at"]
    )

    op.create_table(
        "users",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("username", sa.String(64), nullable=False, unique=True),
        sa.Column("password_hash", sa.Text(), nullable=False),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("facility_id", sa.String(64), sa.ForeignKey("facilities.id")),
        sa.Column("ambulance_id", sa.String(64), sa.ForeignKey("ambulances.id")),
        sa.Column("display_name", sa.Text(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        _now("created_at"),
        sa.CheckConstraint(
            _in("role", ("admin", "dispatcher", "crew", "township", "cathlab", "auditor")),
            name="ck_users_role",
        ),
        sa.CheckConstraint(
            "role NOT IN ('township', 'cathlab') OR facility_id IS NOT NULL",
            name="ck_users_facility",
        ),
        sa.CheckConstraint("role <> 'crew' OR ambulance_id IS NOT NULL", name="ck_users_ambulance"),
    )


def downgrade() -> None:
    for table in ("users", "ambulance_positions", "ambulances", "facilities", "places"):
        op.drop_table(table)
