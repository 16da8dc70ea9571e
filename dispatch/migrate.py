"""Creating the database, its extensions and its tables (idempotent)."""

from __future__ import annotations

import asyncio
from pathlib import Path

import asyncpg
from alembic import command
from alembic.config import Config
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parent.parent
EXTENSIONS = ("postgis", "pgrouting")


def _dsn(url: str, database: str | None = None) -> str:
    parsed = make_url(url).set(drivername="postgresql")
    if database is not None:
        parsed = parsed.set(database=database)
    return parsed.render_as_string(hide_password=False)


async def ensure_database(url: str) -> bool:
    """Create the database named by ``url`` and its extensions if missing; True if created."""
    name = make_url(url).database
    if not name:
        raise ValueError(f"the database URL names no database: {url}")
    created = False
    admin = await asyncpg.connect(_dsn(url, "postgres"))
    try:
        exists = await admin.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", name)
        if not exists:
            quoted = '"' + name.replace('"', '""') + '"'
            await admin.execute(f"CREATE DATABASE {quoted}")
            created = True
    finally:
        await admin.close()
    connection = await asyncpg.connect(_dsn(url))
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


def upgrade(url: str) -> bool:
    """Create the database if needed and migrate it to the newest revision (not in a loop)."""
    created = asyncio.run(ensure_database(url))
    command.upgrade(alembic_config(url), "head")
    return created
