"""Issue 14: the metrics' populations, doors and boundaries changed (primary PCI only for the
wire metrics, the wire hospital's door, DIDO only for patients transferred on, bypass of the ED
and the CCU, door -> CT at most 25): ask for a rebuild of the report read model, so the cases
already there are counted by the new rules (frozen SQL, as in 0005). And two findings the
late-presentation rule needs: ``ongoing_ischaemia`` and ``arrhythmia`` (null: not known).

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-04
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0018"
down_revision: str | None = "0017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_REQUEST = (
    "INSERT INTO pending_rebuilds (name, reason) VALUES ('report_read_model', '{reason}')"
    " ON CONFLICT (name) DO UPDATE SET reason = EXCLUDED.reason, requested_at = now()"
)


def upgrade() -> None:
    op.add_column("cases", sa.Column("ongoing_ischaemia", sa.Boolean))
    op.add_column("cases", sa.Column("arrhythmia", sa.Boolean))
    op.execute(_REQUEST.format(reason="0018: metric populations, doors and boundaries changed"))


def downgrade() -> None:
    op.drop_column("cases", "arrhythmia")
    op.drop_column("cases", "ongoing_ischaemia")
    op.execute(_REQUEST.format(reason="0018 undone: the earlier metric rules"))
