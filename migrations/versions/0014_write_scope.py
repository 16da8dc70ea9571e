"""Write scope and closed cases (issue 12, part f): the data_manager role (质控员), and the
case_actions history (transfers, closes, reopens) that makes a facility a party of a case.

Revision ID: 0014
Revises: 0012
Create Date: 2026-12-04
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The users' role CHECK kept the name the naming convention gave it in 0001.
ROLE_CHECK = "ck_users_ck_users_role"
OLD_ROLES = ("admin", "dispatcher", "crew", "township", "cathlab", "auditor")
NEW_ROLES = (*OLD_ROLES, "data_manager")
ACTIONS = ("transfer", "close", "reopen")


def _role_check(roles: Sequence[str]) -> None:
    listed = ", ".join(f"'{role}'" for role in roles)
    op.execute(f"ALTER TABLE users DROP CONSTRAINT IF EXISTS {ROLE_CHECK}")
    op.execute(f"ALTER TABLE users ADD CONSTRAINT {ROLE_CHECK} CHECK (role IN ({listed}))")


def upgrade() -> None:
    _role_check(NEW_ROLES)
    listed = ", ".join(f"'{action}'" for action in ACTIONS)
    op.create_table(
        "case_actions",
        sa.Column("id", sa.BigInteger, sa.Identity(), nullable=False),
        sa.Column(
            "case_id",
            sa.BigInteger,
            sa.ForeignKey("cases.id", ondelete="CASCADE", name="fk_case_actions_case_id_cases"),
            nullable=False,
        ),
        sa.Column("action", sa.String(16), nullable=False),
        sa.Column(
            "facility_id",
            sa.String(64),
            sa.ForeignKey("facilities.id", name="fk_case_actions_facility_id_facilities"),
        ),
        sa.Column("reason", sa.Text, nullable=False, server_default=""),
        sa.Column("by_user", sa.String(64), nullable=False),
        sa.Column("by_role", sa.String(16), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(f"action IN ({listed})", name="ck_case_actions_action"),
        sa.CheckConstraint(
            "action <> 'transfer' OR facility_id IS NOT NULL", name="ck_case_actions_facility"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_case_actions"),
    )
    op.create_index("ix_case_actions_case_id", "case_actions", ["case_id", "id"])
    op.create_index(
        "ix_case_actions_facility_id",
        "case_actions",
        ["facility_id"],
        postgresql_where=sa.text("facility_id IS NOT NULL"),
    )


def downgrade() -> None:
    op.drop_table("case_actions")
    op.execute("DELETE FROM users WHERE role = 'data_manager'")
    _role_check(OLD_ROLES)
