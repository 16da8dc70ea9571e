"""An index that lets a report rank the values of a few histogram bins without a full scan.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-24
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index(
        "ix_report_facts_rank",
        "report_facts",
        ["pathway", "name", "minutes"],
        postgresql_include=["month", "facility_id", "ref_at", "drill"],
        if_not_exists=True,
    )


def downgrade() -> None:
    op.drop_index("ix_report_facts_rank", table_name="report_facts")
