"""Roads: nodes, segments (pgRouting-ready) and the network's version row.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-24
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from geoalchemy2 import Geometry

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "road_nodes",
        sa.Column("id", sa.BigInteger(), primary_key=True, autoincrement=False),
        sa.Column(
            "location", Geometry("POINT", srid=4326, spatial_index=False), nullable=False
        ),
        sa.Column("osm_id", sa.BigInteger()),
    )
    op.create_index(
        "idx_road_nodes_location", "road_nodes", ["location"], postgresql_using="gist"
    )
    op.create_table(
        "road_segments",
        sa.Column("id", sa.BigInteger(), primary_key=True, autoincrement=False),
        sa.Column("source", sa.BigInteger(), nullable=False),
        sa.Column("target", sa.BigInteger(), nullable=False),
        sa.Column(
            "geometry", Geometry("LINESTRING", srid=4326, spatial_index=False), nullable=False
        ),
        sa.Column("length_m", sa.Float(), nullable=False),
        sa.Column("road_class", sa.String(32), nullable=False),
        sa.Column("speed_kmh", sa.Float(), nullable=False),
        sa.Column("minutes", sa.Float(), nullable=False),
        sa.Column("oneway", sa.Boolean(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("osm_id", sa.BigInteger()),
    )
    op.create_index("ix_road_segments_source", "road_segments", ["source"])
    op.create_index("ix_road_segments_target", "road_segments", ["target"])
    op.create_index(
        "idx_road_segments_geometry", "road_segments", ["geometry"], postgresql_using="gist"
    )
    op.create_table(
        "road_network",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("synthetic", sa.Boolean(), nullable=False),
        sa.Column("nodes", sa.Integer(), nullable=False),
        sa.Column("segments", sa.Integer(), nullable=False),
        sa.Column(
            "imported_at",
            sa.DateTime(timezone=True),
            server_default=sa.func.now(),
            nullable=False,
        ),
        sa.CheckConstraint("id = 1", name="ck_road_network_single_row"),
    )
    op.execute(
        "INSERT INTO road_network (id, version, source, synthetic, nodes, segments)"
        " VALUES (1, 0, '', false, 0, 0)"
    )
    # pgRouting's edge view: reverse_cost < 0 means the segment is one-way.
    op.execute(
        "CREATE VIEW road_edges AS SELECT id, source, target, minutes AS cost,"
        " CASE WHEN oneway THEN -1 ELSE minutes END AS reverse_cost FROM road_segments"
    )


def downgrade() -> None:
    op.execute("DROP VIEW IF EXISTS road_edges")
    for table in ("road_network", "road_segments", "road_nodes"):
        op.drop_table(table)
