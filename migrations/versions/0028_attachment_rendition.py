"""12-lead ECG waveforms as attachments (issue 16): a DICOM or HL7 aECG file is kept as sent
and drawn on ECG paper; the drawing (a PNG) is kept beside it, in ``attachments.rendition``
(NULL for an image or a PDF, which are shown as they are).

Revision ID: 0028
Revises: 0027
Create Date: 2026-12-04
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0028"
down_revision: str | None = "0027"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("attachments", sa.Column("rendition", sa.LargeBinary, nullable=True))


def downgrade() -> None:
    op.drop_column("attachments", "rendition")
