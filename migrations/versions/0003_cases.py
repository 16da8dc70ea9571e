"""Cases and their append-only time stamps.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-24
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from geoalchemy2 import Geometry
from sqlalchemy.dialects import postgresql

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "cases",
        sa.Column("id", sa.BigInteger(), primary_key=True, autoincrement=True),
        sa.Column("pathway", sa.String(32), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("drill", sa.Boolean(), nullable=False),
        sa.Column("synthetic", sa.Boolean(), nullable=False),
        sa.Column("location", Geometry("POINT", srid=4326, spatial_index=False), nullable=False),
        sa.Column("input_crs", sa.String(8), nullable=False),
        sa.Column("complaint", sa.Text(), nullable=False),
        sa.Column("patient_age", sa.Integer()),
        sa.Column("patient_sex", sa.String(8)),
        sa.Column("created_by", sa.String(64), nullable=False),
        sa.Column("created_facility_id", sa.String(64), sa.ForeignKey("facilities.id")),
        sa.Column(
            "created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.Column("closed_at", sa.DateTime(timezone=True)),
        sa.Column("idempotency_key", sa.String(128), unique=True),
        sa.Column("request_hash", sa.String(64)),
        sa.Column("ambulance_id", sa.String(64), sa.ForeignKey("ambulances.id")),
        sa.Column("ambulance_released_at", sa.DateTime(timezone=True)),
        sa.Column("destination_facility_id", sa.String(64), sa.ForeignKey("facilities.id")),
        sa.Column("eta_minutes", sa.Float()),
        sa.Column("eta_at", sa.DateTime(timezone=True)),
        sa.Column("eta_updated_at", sa.DateTime(timezone=True)),
        sa.Column("killip_class", sa.Integer()),
        sa.Column("lysis_contraindicated", sa.Boolean()),
        sa.Column("stroke_scale", sa.String(16)),
        sa.Column("stroke_score", sa.Integer()),
        sa.Column("last_known_well_at", sa.DateTime(timezone=True)),
        sa.CheckConstraint("status IN ('active', 'closed')", name="ck_cases_status"),
    )
    op.create_index("ix_cases_status_created", "cases", ["status", "created_at"])
    op.create_index("ix_cases_ambulance_id", "cases", ["ambulance_id"])
    op.create_index("idx_cases_location", "cases", ["location"], postgresql_using="gist")
    op.create_table(
        "case_events",
        sa.Column("id", sa.BigInteger(), primary_key=True, autoincrement=True),
        sa.Column(
            "case_id", sa.BigInteger(), sa.ForeignKey("cases.id", ondelete="CASCADE"), nullable=False
        ),
        sa.Column("milestone", sa.String(32), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column(
            "received_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.Column("device_at", sa.DateTime(timezone=True)),
        sa.Column("recorded_by", sa.String(64), nullable=False),
        sa.Column("source", sa.String(20), nullable=False),
        sa.Column("facility_id", sa.String(64), sa.ForeignKey("facilities.id")),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("supersedes", sa.BigInteger(), sa.ForeignKey("case_events.id")),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("flags", postgresql.ARRAY(sa.String(32)), nullable=False),
        sa.Column("idempotency_key", sa.String(128)),
        sa.Column("request_hash", sa.String(64)),
        sa.CheckConstraint(
            "source IN ('user', 'ambulance_status', 'dispatch', 'alert', 'system')",
            name="ck_case_events_source",
        ),
    )
    op.create_index("ix_case_events_case_at", "case_events", ["case_id", "at"])
    op.create_index(
        "uq_case_events_idempotency",
        "case_events",
        ["case_id", "idempotency_key"],
        unique=True,
        postgresql_where=sa.text("idempotency_key IS NOT NULL"),
    )
    op.create_index(
        "uq_case_events_supersedes",
        "case_events",
        ["supersedes"],
        unique=True,
        postgresql_where=sa.text("supersedes IS NOT NULL"),
    )
    # Append-only: the database itself refuses to change or delete a stamp.
    op.execute(
        """
        CREATE FUNCTION case_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
          RAISE EXCEPTION 'case_events is append-only: add a correcting event instead';
        END $$;
        """
    )
    op.execute(
        "CREATE TRIGGER case_events_no_update BEFORE UPDATE ON case_events"
        " FOR EACH ROW EXECUTE FUNCTION case_events_append_only()"
    )


def downgrade() -> None:
    op.execute("DROP TRIGGER IF EXISTS case_events_no_update ON case_events")
    op.execute("DROP FUNCTION IF EXISTS case_events_append_only()")
    op.drop_table("case_events")
    op.drop_table("cases")
