"""Sessions (issue 12, findings 1, 2, 9): every token's session, revocable; demo passwords flagged.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-04
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The synthetic demo county's password (dispatch/demo/load.py); kept here so the migration
# stands alone.
_DEMO_PASSWORDS = ("demo",)


def _is_demo(password_hash: str) -> bool:
    hasher = PasswordHasher()
    for password in _DEMO_PASSWORDS:
        try:
            if hasher.verify(password_hash, password):
                return True
        except (VerificationError, InvalidHashError):
            continue
    return False


def upgrade() -> None:
    op.add_column(
        "users",
        sa.Column("demo_password", sa.Boolean(), nullable=False, server_default=sa.false()),
    )
    bind = op.get_bind()
    users = bind.execute(sa.text("SELECT id, password_hash FROM users")).all()
    demo = [user_id for user_id, password_hash in users if _is_demo(password_hash)]
    if demo:
        bind.execute(
            sa.text("UPDATE users SET demo_password = true WHERE id = ANY(:ids)"), {"ids": demo}
        )
    op.create_table(
        "sessions",
        sa.Column("jti", sa.String(64), primary_key=True),
        sa.Column(
            "user_id", sa.Integer(), sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False
        ),
        sa.Column("issued_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("address", sa.String(64), nullable=False, server_default=""),
        sa.Column("revoked_at", sa.DateTime(timezone=True)),
        sa.Column("revoked_reason", sa.String(32)),
    )
    op.create_index(
        "ix_sessions_user_open",
        "sessions",
        ["user_id"],
        postgresql_where=sa.text("revoked_at IS NULL"),
    )


def downgrade() -> None:
    op.drop_table("sessions")
    op.drop_column("users", "demo_password")
