"""Websocket tickets (issue 12, finding 9 and 12): one-time, short-lived, instead of a bearer
token in the websocket URL.

Revision ID: 0016
Revises: 0011
Create Date: 2026-12-04
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0016"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "ws_tickets",
        # sha256 of the ticket: a copy of the table holds no usable ticket.
        sa.Column("ticket_hash", sa.String(64), primary_key=True),
        sa.Column(
            "session_jti",
            sa.String(64),
            sa.ForeignKey("sessions.jti", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True)),
    )
    op.create_index("ix_ws_tickets_expires_at", "ws_tickets", ["expires_at"])


def downgrade() -> None:
    op.drop_table("ws_tickets")
