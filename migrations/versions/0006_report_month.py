"""The reports' read model keeps each case's local month (Asia/Shanghai), so a report groups
by a column instead of converting a million times.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-24
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

MONTH = "date_trunc('month', ref_at AT TIME ZONE 'Asia/Shanghai')::date"


def upgrade() -> None:
    for table in ("report_cases", "report_facts"):
        op.add_column(table, sa.Column("month", sa.Date()))
        op.execute(f"UPDATE {table} SET month = {MONTH}")  # noqa: S608 - fixed names
        op.alter_column(table, "month", nullable=False)


def downgrade() -> None:
    for table in ("report_cases", "report_facts"):
        op.drop_column(table, "month")
