"""The migrated schema: tables, spatial indexes, the Alembic revision, and re-running upgrade."""

from __future__ import annotations

import asyncio
from typing import Any

from alembic.script import ScriptDirectory
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from dispatch import migrate
from dispatch.settings import Settings

TABLES = ("ambulance_positions", "ambulances", "facilities", "places", "users")
# Geometry columns searched by place (nearest ambulance, facilities in reach, places near a call).
SPATIAL = {("ambulances", "position"), ("facilities", "location"), ("places", "location")}


async def fetch(engine: AsyncEngine, sql: str, **params: Any) -> list[dict[str, Any]]:
    """The query's rows as dicts, on a fresh connection."""
    async with engine.connect() as connection:
        return [dict(row._mapping) for row in await connection.execute(text(sql), params)]


async def schema_snapshot(engine: AsyncEngine) -> list[dict[str, Any]]:
    """Every table, column and index of the public schema, with the catalogue row versions."""
    return await fetch(
        engine,
        "SELECT c.relname, c.relkind, c.oid::bigint AS oid, c.xmin::text AS version"
        " FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
        " WHERE n.nspname = 'public' AND c.relkind IN ('r', 'i', 'S') ORDER BY c.relname",
    )


async def test_every_table_exists(engine: AsyncEngine) -> None:
    """The foundation tables and alembic_version exist in the public schema."""
    found = await fetch(
        engine,
        "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'"
        " AND table_name = ANY(:names) ORDER BY table_name",
        names=[*TABLES, "alembic_version"],
    )
    assert ["alembic_version", *TABLES] == [row["table_name"] for row in found]


async def test_geometry_columns_are_points_in_wgs84(engine: AsyncEngine) -> None:
    """Every geometry column of the foundation tables is a POINT in SRID 4326."""
    found = await fetch(
        engine,
        "SELECT f_table_name AS t, f_geometry_column AS c, type, srid FROM geometry_columns"
        " WHERE f_table_schema = 'public' AND f_table_name = ANY(:names)",
        names=list(TABLES),
    )
    assert {
        ("ambulance_positions", "position"): ("POINT", 4326),
        ("ambulances", "position"): ("POINT", 4326),
        ("facilities", "location"): ("POINT", 4326),
        ("places", "location"): ("POINT", 4326),
    } == {(row["t"], row["c"]): (row["type"], row["srid"]) for row in found}


async def test_searched_geometry_columns_have_gist_indexes(engine: AsyncEngine) -> None:
    """places.location, facilities.location and ambulances.position have GiST indexes."""
    found = await fetch(
        engine,
        "SELECT tablename, indexdef FROM pg_indexes WHERE schemaname = 'public'"
        " AND indexdef LIKE '%USING gist%'",
    )
    indexed = {
        (row["tablename"], column)
        for row in found
        for table, column in SPATIAL
        if row["tablename"] == table and f"({column})" in row["indexdef"].replace('"', "")
    }
    assert SPATIAL == indexed


async def test_the_gps_track_is_indexed_by_ambulance_and_time(engine: AsyncEngine) -> None:
    """ambulance_positions is indexed on (ambulance_id, recorded_at) for reading a track."""
    found = await fetch(
        engine,
        "SELECT indexdef FROM pg_indexes WHERE tablename = 'ambulance_positions'"
        " AND indexname = 'ix_ambulance_positions_track'",
    )
    assert 1 == len(found)
    assert "(ambulance_id, recorded_at)" in found[0]["indexdef"]


async def test_database_is_at_the_head_revision(engine: AsyncEngine, settings: Settings) -> None:
    """alembic_version holds the single head revision of the migration scripts."""
    script = ScriptDirectory.from_config(migrate.alembic_config(settings.database_url))
    found = await fetch(engine, "SELECT version_num FROM alembic_version")
    assert [script.get_current_head()] == [row["version_num"] for row in found]


async def test_upgrading_again_changes_nothing(engine: AsyncEngine, settings: Settings) -> None:
    """Running the upgrade on a migrated database creates nothing and touches no table."""
    before = await schema_snapshot(engine)
    version_before = await fetch(engine, "SELECT version_num, xmin::text AS v FROM alembic_version")
    created = await asyncio.to_thread(migrate.upgrade, settings.database_url)
    assert created is False
    assert version_before == await fetch(
        engine, "SELECT version_num, xmin::text AS v FROM alembic_version"
    )
    assert before == await schema_snapshot(engine)
