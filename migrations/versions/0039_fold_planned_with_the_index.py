"""The rollups' fold planned with the notes' index, whatever the table's size (issue 17).

PL/pgSQL plans the fold's statements (migration 0038) once per connection and keeps the plan
until the table's statistics or definition change: a connection whose first fold ran on an
empty notes table keeps a sequential scan, and after a read-model rebuild leaves millions of
dead notes it would scan them at every commit again (the 330-660 ms 0038 removed). The fold
now runs with ``enable_seqscan = off``: its reads and deletes of the notes, of the
transaction's mark and the rollups' conflict checks all have an index to use.

Revision ID: 0039
Revises: 0038
Create Date: 2026-12-05
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0039"
down_revision: str | None = "0038"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.execute("ALTER FUNCTION report_rollup_fold() SET enable_seqscan = off")


def downgrade() -> None:
    op.execute("ALTER FUNCTION report_rollup_fold() RESET enable_seqscan")
