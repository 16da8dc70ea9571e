"""Creating the database, its extensions and its tables (idempotent), then the rebuilds the
migrations asked for.

Migrations import no application code (their SQL is frozen in each file). A migration whose
data needs the Python read-model code (the report rows of the cases already there) asks for a
rebuild instead, with a row in ``pending_rebuilds`` (frozen SQL; see 0005). ``upgrade`` runs the
rebuilds asked for after the migrations, and clears each request in the same transaction as its
rebuild: a crash in between leaves the request for the next ``infofirst db upgrade`` (or
``infofirst report rebuild``), never a read model silently missing its old cases.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from pathlib import Path

import asyncpg
from alembic import command
from alembic.config import Config
from sqlalchemy import NullPool, text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncSession, create_async_engine

from dispatch.dsn import asyncpg_dsn
from dispatch.reports import readmodel
from dispatch.settings import Settings
from units import track_partitions

ROOT = Path(__file__).resolve().parent.parent
EXTENSIONS = ("postgis", "pgrouting")
READ_MODEL = "report_read_model"  # a pending_rebuilds name: the report read model


async def ensure_database(url: str) -> bool:
    """Create the database named by ``url`` and its extensions if missing; True if created."""
    name = make_url(url).database
    if not name:
        raise ValueError(f"the database URL names no database: {url}")
    created = False
    admin = await asyncpg.connect(asyncpg_dsn(url, "postgres"))
    try:
        exists = await admin.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", name)
        if not exists:
            quoted = '"' + name.replace('"', '""') + '"'
            await admin.execute(f"CREATE DATABASE {quoted}")
            created = True
    finally:
        await admin.close()
    connection = await asyncpg.connect(asyncpg_dsn(url))
    try:
        for extension in EXTENSIONS:
            await connection.execute(f"CREATE EXTENSION IF NOT EXISTS {extension}")
    finally:
        await connection.close()
    return created


def alembic_config(url: str) -> Config:
    """Alembic's configuration for this project and database."""
    config = Config(str(ROOT / "alembic.ini"))
    config.set_main_option("script_location", str(ROOT / "migrations"))
    config.attributes["database_url"] = url
    config.attributes["configure_logger"] = False
    return config


async def pending_rebuilds(db: AsyncSession) -> list[str]:
    """The rebuilds migrations asked for and nothing has done yet."""
    if await db.scalar(text("SELECT to_regclass('pending_rebuilds')")) is None:
        return []
    names = await db.scalars(text("SELECT name FROM pending_rebuilds ORDER BY name"))
    return list(names)


async def rebuild_read_model(db: AsyncSession, progress: readmodel.Progress | None = None) -> int:
    """Rebuild the report read model and clear a migration's request for it (one transaction)."""
    count = await readmodel.rebuild(db, progress)
    if await db.scalar(text("SELECT to_regclass('pending_rebuilds')")) is not None:
        clear = text("DELETE FROM pending_rebuilds WHERE name = :name")
        await db.execute(clear, {"name": READ_MODEL})
    return count


async def run_pending_rebuilds(url: str, progress: readmodel.Progress | None = None) -> list[str]:
    """Do the rebuilds the migrations asked for; returns their names."""
    engine = create_async_engine(url, poolclass=NullPool)
    try:
        async with AsyncSession(engine) as db, db.begin():
            pending = await pending_rebuilds(db)
            unknown = sorted(set(pending) - {READ_MODEL})
            if unknown:
                raise RuntimeError(f"a migration asked for unknown rebuild(s): {unknown}")
            if READ_MODEL in pending:
                await rebuild_read_model(db, progress)
            return pending
    finally:
        await engine.dispose()


def upgrade(url: str, progress: readmodel.Progress | None = None) -> bool:
    """Create the database if needed, migrate it to the newest revision (not in a loop) and do
    the rebuilds the migrations asked for; True if the database was created."""
    created = asyncio.run(ensure_database(url))
    command.upgrade(alembic_config(url), "head")
    asyncio.run(run_pending_rebuilds(url, progress))
    return created


async def keep_track_months(url: str, settings: Settings) -> track_partitions.TrackUpkeep:
    """The GPS track's monthly partitions kept (as the owner ``url`` names; one transaction)."""
    engine = create_async_engine(url, poolclass=NullPool)
    try:
        async with engine.begin() as conn:
            return await track_partitions.maintain(
                conn,
                datetime.now(UTC),
                settings.gps_track_retention_months,
                settings.gps_track_months_ahead,
            )
    finally:
        await engine.dispose()
