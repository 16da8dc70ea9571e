"""The time-audit reports' read model: report_cases and report_facts (filled by the rebuild
``infofirst db upgrade`` runs after it: see ``_request_rebuild``).

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-24
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "report_cases",
        sa.Column(
            "case_id",
            sa.BigInteger(),
            sa.ForeignKey("cases.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("pathway", sa.String(32), nullable=False),
        sa.Column("drill", sa.Boolean(), nullable=False),
        sa.Column("facility_id", sa.String(64)),
        sa.Column("ref_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("missing", sa.Integer(), nullable=False),
        sa.Column("out_of_order", sa.Integer(), nullable=False),
        sa.Column("clock_skew", sa.Integer(), nullable=False),
        sa.Column("corrections", sa.Integer(), nullable=False),
        sa.Column("findings", postgresql.ARRAY(sa.String(80)), nullable=False),
    )
    op.create_index("ix_report_cases_ref_at", "report_cases", ["ref_at"])
    op.create_table(
        "report_facts",
        sa.Column(
            "case_id",
            sa.BigInteger(),
            sa.ForeignKey("cases.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("name", sa.String(64), primary_key=True),
        sa.Column("leg", sa.SmallInteger(), primary_key=True),
        sa.Column("pathway", sa.String(32), nullable=False),
        sa.Column("drill", sa.Boolean(), nullable=False),
        sa.Column("facility_id", sa.String(64)),
        sa.Column("ref_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("minutes", sa.Float()),
        sa.Column("target_minutes", sa.Float()),
        sa.Column("met", sa.Boolean()),
        sa.Column("start_at", sa.DateTime(timezone=True)),
        sa.Column("end_at", sa.DateTime(timezone=True)),
    )
    op.create_index("ix_report_facts_ref_at", "report_facts", ["ref_at"])
    op.create_index(
        "ix_report_facts_outside",
        "report_facts",
        ["pathway", "name", sa.text("minutes DESC")],
        postgresql_where=sa.text("met IS FALSE"),
    )
    _request_rebuild()


def _request_rebuild() -> None:
    """Ask for the rows of the cases already there: ``infofirst db upgrade`` runs the read
    model's rebuild after the migrations (the Python read-model code is not imported here, so
    this file keeps working whatever that code becomes), and clears the request in the same
    transaction; until then the request stays, and ``infofirst report rebuild`` clears it too.
    Frozen SQL: a later migration that needs a rebuild copies it."""
    op.execute(
        "CREATE TABLE IF NOT EXISTS pending_rebuilds ("
        " name varchar(64) PRIMARY KEY, reason text NOT NULL,"
        " requested_at timestamptz NOT NULL DEFAULT now())"
    )
    op.execute(
        "INSERT INTO pending_rebuilds (name, reason) VALUES"
        " ('report_read_model', '0005: the report read model is new')"
        " ON CONFLICT (name) DO NOTHING"
    )


def downgrade() -> None:
    op.execute("DROP TABLE IF EXISTS pending_rebuilds")
    op.drop_table("report_facts")
    op.drop_table("report_cases")
