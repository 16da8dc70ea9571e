"""An ambulance crew's mission stream (issue 13, item 1): a frame need not belong to an alert.

The crew's stream (``ambulance:<id>``) lives in the same durable table as the facilities'
alert streams; its frames (``mission.assigned``, ``mission.released``) carry a case, not an
alert, so ``alert_stream.alert_id`` may be empty.

Revision ID: 0019
Revises: 0022
Create Date: 2026-12-04
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0019"
down_revision: str | None = "0022"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.alter_column("alert_stream", "alert_id", nullable=True)


def downgrade() -> None:
    op.execute("DELETE FROM alert_stream WHERE alert_id IS NULL")
    op.alter_column("alert_stream", "alert_id", nullable=False)
