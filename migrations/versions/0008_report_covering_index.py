"""The rank index also covers ``met``, so a report's first pass (the histograms) is an
index-only scan in (metric, minutes) order instead of a scan of the whole table.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-24
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

KEYS = ["pathway", "name", "minutes"]
INCLUDED = ["month", "facility_id", "ref_at", "drill"]


def _replace(include: list[str]) -> None:
    op.execute("SET LOCAL maintenance_work_mem = '256MB'")
    op.drop_index("ix_report_facts_rank", table_name="report_facts", if_exists=True)
    op.create_index("ix_report_facts_rank", "report_facts", KEYS, postgresql_include=include)


def upgrade() -> None:
    _replace([*INCLUDED, "met"])


def downgrade() -> None:
    _replace(INCLUDED)
