"""Turn restrictions (issue 15): OSM ``no_*`` / ``only_*`` turns at a node, from one stored road
segment into another, replaced with the road network in the same transaction.

Revision ID: 0026
Revises: 0028
Create Date: 2026-12-04
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0026"
down_revision: str | None = "0028"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

KINDS = (
    "no_left_turn",
    "no_right_turn",
    "no_straight_on",
    "no_u_turn",
    "no_entry",
    "no_exit",
    "only_left_turn",
    "only_right_turn",
    "only_straight_on",
)


def upgrade() -> None:
    op.create_table(
        "road_turn_restrictions",
        sa.Column("id", sa.BigInteger(), sa.Identity(), primary_key=True),
        sa.Column(
            "from_segment",
            sa.BigInteger(),
            sa.ForeignKey("road_segments.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column(
            "via_node",
            sa.BigInteger(),
            sa.ForeignKey("road_nodes.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column(
            "to_segment",
            sa.BigInteger(),
            sa.ForeignKey("road_segments.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.CheckConstraint(
            "kind IN (" + ", ".join(f"'{kind}'" for kind in KINDS) + ")",
            name="ck_road_turn_restrictions_kind",
        ),
    )
    op.create_index(
        "ix_road_turn_restrictions_from_segment", "road_turn_restrictions", ["from_segment"]
    )
    op.create_index(
        "ix_road_turn_restrictions_to_segment", "road_turn_restrictions", ["to_segment"]
    )
    op.create_index("ix_road_turn_restrictions_via_node", "road_turn_restrictions", ["via_node"])


def downgrade() -> None:
    op.drop_table("road_turn_restrictions")
