"""Login failures (issue 12, finding 3): every refused sign-in, and the throttles' state.

Revision ID: 0010
Revises: 0008
Create Date: 2026-12-04
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "login_failures",
        sa.Column("id", sa.BigInteger, sa.Identity(), primary_key=True),
        sa.Column("username", sa.Text, nullable=False),
        sa.Column("address", sa.Text, nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("counted", sa.Boolean, nullable=False),
        sa.Column("cleared", sa.Boolean, nullable=False, server_default=sa.false()),
    )
    op.create_index(
        "ix_login_failures_username_at",
        "login_failures",
        ["username", "at"],
        postgresql_where=sa.text("counted"),
    )
    op.create_index(
        "ix_login_failures_address_at",
        "login_failures",
        ["address", "at"],
        postgresql_where=sa.text("counted"),
    )


def downgrade() -> None:
    op.drop_table("login_failures")
