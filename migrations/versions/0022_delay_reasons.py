"""Delay reasons (issue 14): a coded reason and a note for an interval a case missed. The
application role gets it through the default privileges ``infofirst db grant-app-role`` set.

Revision ID: 0022
Revises: 0020
Create Date: 2026-12-04
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0022"
down_revision: str | None = "0020"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "delay_reasons",
        sa.Column("id", sa.BigInteger, primary_key=True, autoincrement=True),
        sa.Column(
            "case_id", sa.BigInteger, sa.ForeignKey("cases.id", ondelete="RESTRICT"), nullable=False
        ),
        sa.Column("metric", sa.String(64), nullable=False),
        sa.Column("facility_key", sa.String(64), nullable=False, server_default=""),
        sa.Column("code", sa.String(32), nullable=False),
        sa.Column("note", sa.Text, nullable=False, server_default=""),
        sa.Column("recorded_by", sa.String(64), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index(
        "uq_delay_reasons_case_metric",
        "delay_reasons",
        ["case_id", "metric", "facility_key"],
        unique=True,
    )


def downgrade() -> None:
    op.drop_table("delay_reasons")
