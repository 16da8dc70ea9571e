"""The county's ECG reading network (issue 16): the ecg_reader role, the ECGs sent for reading
and their readings (a second reading supersedes the first, with a reason).

Revision ID: 0027
Revises: 0019
Create Date: 2026-12-04
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0027"
down_revision: str | None = "0019"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ROLE_CHECK = "ck_users_ck_users_role"
OLD_ROLES = ("admin", "dispatcher", "crew", "township", "cathlab", "auditor", "data_manager")
NEW_ROLES = (*OLD_ROLES, "ecg_reader")
STATUSES = ("awaiting_reading", "read", "unreadable")
FINDINGS = ("stemi", "no_stemi", "other_critical", "unreadable")


def _listed(values: Sequence[str]) -> str:
    return ", ".join(f"'{value}'" for value in values)


def _role_check(roles: Sequence[str]) -> None:
    op.execute(f"ALTER TABLE users DROP CONSTRAINT IF EXISTS {ROLE_CHECK}")
    op.execute(f"ALTER TABLE users ADD CONSTRAINT {ROLE_CHECK} CHECK (role IN ({_listed(roles)}))")


def upgrade() -> None:
    _role_check(NEW_ROLES)
    op.create_table(
        "ecgs",
        sa.Column("id", sa.BigInteger, sa.Identity(), nullable=False),
        sa.Column(
            "case_id",
            sa.BigInteger,
            sa.ForeignKey("cases.id", name="fk_ecgs_case_id_cases"),
            nullable=False,
        ),
        sa.Column(
            "attachment_id",
            sa.String(36),
            sa.ForeignKey("attachments.id", name="fk_ecgs_attachment_id_attachments"),
            nullable=False,
        ),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("sent_by", sa.String(64), nullable=False),
        sa.Column(
            "from_facility_id",
            sa.String(64),
            sa.ForeignKey("facilities.id", name="fk_ecgs_from_facility_id_facilities"),
        ),
        sa.Column(
            "from_ambulance_id",
            sa.String(64),
            sa.ForeignKey("ambulances.id", name="fk_ecgs_from_ambulance_id_ambulances"),
        ),
        sa.Column("drill", sa.Boolean, nullable=False),
        sa.Column("pathway", sa.String(32), nullable=False),
        sa.Column("complaint", sa.Text, nullable=False, server_default=""),
        sa.Column("patient_age", sa.Integer),
        sa.Column("patient_sex", sa.String(8)),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("read_at", sa.DateTime(timezone=True)),
        sa.Column("next_escalation_at", sa.DateTime(timezone=True)),
        sa.Column("escalation_level", sa.Integer, nullable=False, server_default="0"),
        sa.CheckConstraint(f"status IN ({_listed(STATUSES)})", name="ck_ecgs_status"),
        sa.PrimaryKeyConstraint("id", name="pk_ecgs"),
    )
    op.create_index("ix_ecgs_case_id", "ecgs", ["case_id"])
    op.create_index("uq_ecgs_case_attachment", "ecgs", ["case_id", "attachment_id"], unique=True)
    op.create_index(
        "ix_ecgs_waiting",
        "ecgs",
        ["received_at"],
        postgresql_where=sa.text("status = 'awaiting_reading'"),
    )
    op.create_index(
        "ix_ecgs_escalation",
        "ecgs",
        ["next_escalation_at"],
        postgresql_where=sa.text("status = 'awaiting_reading'"),
    )
    op.create_table(
        "ecg_readings",
        sa.Column("id", sa.BigInteger, sa.Identity(), nullable=False),
        sa.Column(
            "ecg_id",
            sa.BigInteger,
            sa.ForeignKey("ecgs.id", name="fk_ecg_readings_ecg_id_ecgs"),
            nullable=False,
        ),
        sa.Column("finding", sa.String(20), nullable=False),
        sa.Column("text", sa.Text, nullable=False, server_default=""),
        sa.Column("read_by", sa.String(64), nullable=False),
        sa.Column("read_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column(
            "supersedes",
            sa.BigInteger,
            sa.ForeignKey("ecg_readings.id", name="fk_ecg_readings_supersedes_ecg_readings"),
        ),
        sa.Column("reason", sa.Text, nullable=False, server_default=""),
        sa.CheckConstraint(f"finding IN ({_listed(FINDINGS)})", name="ck_ecg_readings_finding"),
        sa.CheckConstraint("supersedes IS NULL OR reason <> ''", name="ck_ecg_readings_reason"),
        sa.PrimaryKeyConstraint("id", name="pk_ecg_readings"),
    )
    op.create_index("ix_ecg_readings_ecg_id", "ecg_readings", ["ecg_id"])
    op.create_index("uq_ecg_readings_supersedes", "ecg_readings", ["supersedes"], unique=True)


def downgrade() -> None:
    op.drop_table("ecg_readings")
    op.drop_table("ecgs")
    op.execute("DELETE FROM users WHERE role = 'ecg_reader'")
    _role_check(OLD_ROLES)
