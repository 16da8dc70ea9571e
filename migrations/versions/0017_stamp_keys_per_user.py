"""A stamp's Idempotency-Key is its recorder's own (issue 12, finding 8).

Revision ID: 0017
Revises: 0013
Create Date: 2026-12-04
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0017"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_KEYED = sa.text("idempotency_key IS NOT NULL")


def upgrade() -> None:
    op.drop_index("uq_case_events_idempotency", "case_events")
    op.create_index(
        "uq_case_events_idempotency",
        "case_events",
        ["case_id", "recorded_by", "idempotency_key"],
        unique=True,
        postgresql_where=_KEYED,
    )


def downgrade() -> None:
    op.drop_index("uq_case_events_idempotency", "case_events")
    op.create_index(
        "uq_case_events_idempotency",
        "case_events",
        ["case_id", "idempotency_key"],
        unique=True,
        postgresql_where=_KEYED,
    )
