"""Who called and who the patient is (issue 13, item 8): the caller's phone, the patient's name
and resident ID number, and the address on the case (all optional).

Revision ID: 0020
Revises: 0018
Create Date: 2026-12-04
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0020"
down_revision: str | None = "0018"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

COLUMNS = (
    ("patient_name", 64),
    ("patient_id_number", 18),
    ("caller_phone", 32),
    ("address", 200),
)


def upgrade() -> None:
    for name, length in COLUMNS:
        op.add_column("cases", sa.Column(name, sa.String(length), nullable=True))


def downgrade() -> None:
    for name, _ in COLUMNS:
        op.drop_column("cases", name)
