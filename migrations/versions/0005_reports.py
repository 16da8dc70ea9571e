"""The time-audit reports' read model: report_cases and report_facts, backfilled.

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


CASE_COLUMNS = (
    "case_id", "pathway", "drill", "facility_id", "ref_at", "missing", "out_of_order",
    "clock_skew", "corrections", "findings",
)
FACT_COLUMNS = (
    "case_id", "name", "leg", "pathway", "drill", "facility_id", "ref_at", "minutes",
    "target_minutes", "met", "start_at", "end_at",
)


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
    _backfill()


def _backfill() -> None:
    """Every existing case's rows, by the same pure code the service uses."""
    from dispatch.cases.pathways import load_pathways
    from dispatch.reports.facts import report_case_facts
    from dispatch.reports.rates import load_rates
    from dispatch.reports.readmodel import case_input, rows_of

    bind = op.get_bind()
    caps = {
        row.id: frozenset(row.capabilities)
        for row in bind.execute(sa.text("SELECT id, capabilities FROM facilities"))
    }
    cases = list(
        bind.execute(
            sa.text("SELECT id, pathway, drill, created_at, created_facility_id FROM cases")
        )
    )
    events: dict[int, list[sa.Row]] = {}
    for row in bind.execute(
        sa.text(
            "SELECT id, case_id, milestone, at, facility_id, flags, supersedes FROM case_events"
        )
    ):
        events.setdefault(row.case_id, []).append(row)
    pathways, rates = load_pathways(), load_rates()
    case_rows, fact_rows = [], []
    for case in cases:
        if case.pathway not in pathways:
            continue
        facts = report_case_facts(case_input(case, events.get(case.id, [])), pathways[case.pathway], rates, caps)
        one, many = rows_of(facts)
        # the columns of this revision (later ones, like 0006's month, fill their own)
        case_rows.append({k: v for k, v in one.items() if k in CASE_COLUMNS})
        fact_rows.extend({k: v for k, v in row.items() if k in FACT_COLUMNS} for row in many)
    if case_rows:
        op.bulk_insert(sa.table("report_cases", *[sa.column(k) for k in case_rows[0]]), case_rows)
    if fact_rows:
        op.bulk_insert(sa.table("report_facts", *[sa.column(k) for k in fact_rows[0]]), fact_rows)


def downgrade() -> None:
    op.drop_table("report_facts")
    op.drop_table("report_cases")
