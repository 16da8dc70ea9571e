"""The ECG readers' rota (issue 16): one row per shift of one reader (``ecg_rota_shifts``).

A shift is the half-open interval [starts_at, ends_at): a reader whose shift ends at 08:00 and
whose next starts at 08:00 is on the second at 08:00. ``ends_at`` is after ``starts_at`` and at
most 24 hours later; one reader's shifts never overlap (an exclusion constraint over
``tstzrange(starts_at, ends_at)``, which needs ``btree_gist`` for the ``=`` on ``user_id``; a
trusted extension since PostgreSQL 13, so the database owner may create it).

Revision ID: 0030
Revises: 0032 (the head when this was written; the brief named 0029, which 0032 already follows)
Create Date: 2026-12-04
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0030"
down_revision: str | None = "0032"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.execute("CREATE EXTENSION IF NOT EXISTS btree_gist")
    op.create_table(
        "ecg_rota_shifts",
        sa.Column("id", sa.BigInteger, sa.Identity(), nullable=False),
        sa.Column(
            "user_id",
            sa.Integer,
            sa.ForeignKey("users.id", name="fk_ecg_rota_shifts_user_id_users"),
            nullable=False,
        ),
        sa.Column("starts_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ends_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("label", sa.String(8), nullable=False),
        sa.Column("note", sa.Text, nullable=False, server_default=""),
        sa.Column("synthetic", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("created_by", sa.String(64), nullable=False),
        sa.Column(
            "created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.CheckConstraint("ends_at > starts_at", name="ck_ecg_rota_shifts_order"),
        sa.CheckConstraint(
            "ends_at - starts_at <= interval '24 hours'", name="ck_ecg_rota_shifts_length"
        ),
        sa.CheckConstraint("label IN ('day', 'night')", name="ck_ecg_rota_shifts_label"),
        sa.PrimaryKeyConstraint("id", name="pk_ecg_rota_shifts"),
    )
    op.execute(
        "ALTER TABLE ecg_rota_shifts ADD CONSTRAINT ex_ecg_rota_shifts_overlap"
        " EXCLUDE USING gist (user_id WITH =, tstzrange(starts_at, ends_at) WITH &&)"
    )
    op.create_index("ix_ecg_rota_shifts_ends_at", "ecg_rota_shifts", ["ends_at", "starts_at"])


def downgrade() -> None:
    op.drop_table("ecg_rota_shifts")
