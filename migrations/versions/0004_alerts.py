"""Information before the patient: attachments, alerts, streams, deliveries, escalations.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-24
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _now(name: str) -> sa.Column:
    return sa.Column(name, sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False)


def upgrade() -> None:
    op.create_table(
        "attachments",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("sha256", sa.String(64), nullable=False, index=True),
        sa.Column("content_type", sa.String(32), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("filename", sa.Text(), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.Column("uploaded_by", sa.String(64), nullable=False),
        _now("created_at"),
    )
    op.create_table(
        "alerts",
        sa.Column("id", sa.BigInteger(), primary_key=True, autoincrement=True),
        sa.Column("case_id", sa.BigInteger(), sa.ForeignKey("cases.id"), nullable=False, index=True),
        sa.Column("to_facility_id", sa.String(64), sa.ForeignKey("facilities.id"), nullable=False),
        sa.Column("from_facility_id", sa.String(64), sa.ForeignKey("facilities.id")),
        sa.Column("from_ambulance_id", sa.String(64), sa.ForeignKey("ambulances.id")),
        sa.Column("sent_by", sa.String(64), nullable=False),
        sa.Column("pathway", sa.String(32), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("vitals", postgresql.JSONB(), nullable=False),
        sa.Column("attachment_ids", postgresql.ARRAY(sa.String(36)), nullable=False),
        sa.Column("eta_minutes", sa.Float()),
        sa.Column("eta_at", sa.DateTime(timezone=True)),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("drill", sa.Boolean(), nullable=False),
        _now("created_at"),
        sa.Column("delivered_at", sa.DateTime(timezone=True)),
        sa.Column("answered_at", sa.DateTime(timezone=True)),
        sa.Column("answered_by", sa.String(64)),
        sa.Column("answer_note", sa.Text(), nullable=False),
        sa.Column("closed_at", sa.DateTime(timezone=True)),
        sa.Column("escalation_level", sa.Integer(), nullable=False),
        sa.Column("next_escalation_at", sa.DateTime(timezone=True)),
        sa.Column("idempotency_key", sa.String(128), unique=True),
        sa.Column("request_hash", sa.String(64)),
        sa.CheckConstraint(
            "status IN ('sent', 'delivered', 'acknowledged', 'activated', 'declined',"
            " 'cancelled', 'arrived')",
            name="ck_alerts_status",
        ),
    )
    op.create_index("ix_alerts_to_status", "alerts", ["to_facility_id", "status"])
    op.create_index("ix_alerts_escalation", "alerts", ["next_escalation_at"])
    op.create_table(
        "alert_stream_heads",
        sa.Column("stream", sa.String(80), primary_key=True),
        sa.Column("epoch", sa.BigInteger(), nullable=False),
        sa.Column("last_seq", sa.BigInteger(), nullable=False),
    )
    op.create_table(
        "alert_stream",
        sa.Column("stream", sa.String(80), primary_key=True),
        sa.Column("seq", sa.BigInteger(), primary_key=True),
        sa.Column("epoch", sa.BigInteger(), nullable=False),
        sa.Column("type", sa.String(24), nullable=False),
        sa.Column("alert_id", sa.BigInteger(), sa.ForeignKey("alerts.id"), nullable=False, index=True),
        sa.Column("payload", postgresql.JSONB(), nullable=False),
        _now("created_at"),
    )
    op.create_table(
        "alert_deliveries",
        sa.Column("id", sa.BigInteger(), primary_key=True, autoincrement=True),
        sa.Column("alert_id", sa.BigInteger(), sa.ForeignKey("alerts.id"), nullable=False, index=True),
        sa.Column("stream", sa.String(80), nullable=False),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.Column("confirmed_by", sa.String(64), nullable=False),
        _now("confirmed_at"),
    )
    op.create_table(
        "alert_escalations",
        sa.Column("id", sa.BigInteger(), primary_key=True, autoincrement=True),
        sa.Column("alert_id", sa.BigInteger(), sa.ForeignKey("alerts.id"), nullable=False, index=True),
        sa.Column("level", sa.Integer(), nullable=False),
        sa.Column("channel", sa.String(32), nullable=False),
        sa.Column("outcome", sa.Text(), nullable=False),
        _now("at"),
    )


def downgrade() -> None:
    for table in (
        "alert_escalations",
        "alert_deliveries",
        "alert_stream",
        "alert_stream_heads",
        "alerts",
        "attachments",
    ):
        op.drop_table(table)
