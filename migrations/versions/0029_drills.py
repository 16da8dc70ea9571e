"""Drills (模拟演练, issue 16): a unit's drill, scheduled or unannounced, its case and its score.

Revision ID: 0029
Revises: 0026
Create Date: 2026-12-04
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision: str = "0029"
down_revision: str | None = "0026"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

STATUSES = ("scheduled", "started", "ended", "cancelled")


def upgrade() -> None:
    listed = ", ".join(f"'{status}'" for status in STATUSES)
    op.create_table(
        "drills",
        sa.Column("id", sa.BigInteger, sa.Identity(), nullable=False),
        sa.Column(
            "facility_id",
            sa.String(64),
            sa.ForeignKey("facilities.id", name="fk_drills_facility_id_facilities"),
            nullable=False,
        ),
        sa.Column("pathway", sa.String(32), nullable=False),
        sa.Column("scheduled_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("unannounced", sa.Boolean, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column(
            "case_id",
            sa.BigInteger,
            sa.ForeignKey("cases.id", name="fk_drills_case_id_cases"),
        ),
        sa.Column("created_by", sa.String(64), nullable=False),
        sa.Column(
            "created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.Column("started_at", sa.DateTime(timezone=True)),
        sa.Column("ended_at", sa.DateTime(timezone=True)),
        sa.Column("score", JSONB),
        sa.Column("idempotency_key", sa.String(128)),
        sa.Column("request_hash", sa.String(64)),
        sa.CheckConstraint(f"status IN ({listed})", name="ck_drills_status"),
        sa.CheckConstraint(
            "status = 'scheduled' OR status = 'cancelled' OR case_id IS NOT NULL",
            name="ck_drills_case",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_drills"),
    )
    op.create_index("ix_drills_case_id", "drills", ["case_id"])
    op.create_index("ix_drills_facility_scheduled", "drills", ["facility_id", "scheduled_at"])
    op.create_index(
        "ix_drills_due", "drills", ["scheduled_at"], postgresql_where=sa.text("status = 'scheduled'")
    )
    op.create_index(
        "uq_drills_creator_idempotency",
        "drills",
        ["created_by", "idempotency_key"],
        unique=True,
        postgresql_where=sa.text("idempotency_key IS NOT NULL"),
    )


def downgrade() -> None:
    op.drop_table("drills")
