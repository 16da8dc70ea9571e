"""Idempotency-Keys per user; one delivery confirmation per alert and user (issue 12, findings
7 and 8).

Revision ID: 0012
Revises: 0016
Create Date: 2026-12-04
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_KEYED = sa.text("idempotency_key IS NOT NULL")


def upgrade() -> None:
    op.drop_constraint("uq_alerts_idempotency_key", "alerts", type_="unique")
    op.create_index(
        "uq_alerts_sender_idempotency",
        "alerts",
        ["sent_by", "idempotency_key"],
        unique=True,
        postgresql_where=_KEYED,
    )
    op.drop_constraint("uq_cases_idempotency_key", "cases", type_="unique")
    op.create_index(
        "uq_cases_creator_idempotency",
        "cases",
        ["created_by", "idempotency_key"],
        unique=True,
        postgresql_where=_KEYED,
    )
    # Earlier confirmations repeated per frame and from any screen: keep each user's first.
    op.execute(
        "DELETE FROM alert_deliveries d USING alert_deliveries e"
        " WHERE d.alert_id = e.alert_id AND d.confirmed_by = e.confirmed_by AND d.id > e.id"
    )
    op.create_index(
        "uq_alert_deliveries_alert_user",
        "alert_deliveries",
        ["alert_id", "confirmed_by"],
        unique=True,
    )


def downgrade() -> None:
    op.drop_index("uq_alert_deliveries_alert_user", "alert_deliveries")
    op.drop_index("uq_cases_creator_idempotency", "cases")
    op.create_unique_constraint("uq_cases_idempotency_key", "cases", ["idempotency_key"])
    op.drop_index("uq_alerts_sender_idempotency", "alerts")
    op.create_unique_constraint("uq_alerts_idempotency_key", "alerts", ["idempotency_key"])
