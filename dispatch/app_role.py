"""The application's database role: it owns nothing (issue 12, finding 11).

Migrations run as the schema's owner (``INFOFIRST_MIGRATION_DATABASE_URL``); the service
connects as a role made here with only what it needs: SELECT, INSERT and UPDATE on the tables,
DELETE only where the service deletes (the report read model it rewrites and its rollups'
notes folded at commit, the road network it replaces, the rebuild requests it clears, the rota
shifts taken off before they begin), SELECT and INSERT only on the append-only stamps, audit
trail and GPS track (issue 17), USAGE on the sequences, no CREATE anywhere, and the same by
default on the tables the owner creates later.
Without ownership it can neither DROP nor disable a trigger.
"""

from __future__ import annotations

import re

import asyncpg
from sqlalchemy.engine import make_url

from dispatch.dsn import asyncpg_dsn

NAME = re.compile(r"[a-z_][a-z0-9_]{0,62}")
DEFAULT_ROLE = "infofirst_app"
APPEND_ONLY = ("case_events", "audit_log", "audit_pending", "ambulance_positions")
DELETES = (
    "report_cases",
    "report_facts",
    # issue 17: the rollups' notes, emptied by the fold at each writing transaction's commit
    "report_facts_pending",
    "report_cases_pending",
    "report_rollup_fold",
    "road_segments",
    "road_nodes",
    "road_turn_restrictions",
    "pending_rebuilds",
    "ws_tickets",  # part A (issue 12): used tickets are purged
    "ecg_rota_shifts",  # issue 16: a shift not yet begun comes off the ECG readers' rota
)


def app_url(owner_url: str, role: str) -> str:
    """The owner's URL with the application role as its user (no password: local trust)."""
    return (
        make_url(owner_url).set(username=role, password=None).render_as_string(hide_password=False)
    )


def statements(role: str, database: str, existing: set[str]) -> list[str]:
    """The SQL granting ``role`` its rights on ``database`` (tables: those that exist)."""
    if not NAME.fullmatch(role):
        raise ValueError(f"a role name is lower-case letters, digits and _: {role!r}")
    db = '"' + database.replace('"', '""') + '"'
    deletes = [t for t in DELETES if t in existing]
    append_only = [t for t in APPEND_ONLY if t in existing]
    sql = [
        f"DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '{role}') THEN"  # noqa: S608 - a checked name
        f" CREATE ROLE {role} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION;"
        " END IF; END $$",
        f"ALTER ROLE {role} NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS",
        f"GRANT CONNECT ON DATABASE {db} TO {role}",
        f"REVOKE CREATE, TEMPORARY ON DATABASE {db} FROM {role}",
        "REVOKE CREATE ON SCHEMA public FROM PUBLIC",
        f"GRANT USAGE ON SCHEMA public TO {role}",
        f"REVOKE ALL ON ALL TABLES IN SCHEMA public FROM {role}",
        f"GRANT SELECT, INSERT, UPDATE ON ALL TABLES IN SCHEMA public TO {role}",
        f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {role}",
        f"ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT, INSERT, UPDATE ON TABLES"
        f" TO {role}",
        f"ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT USAGE, SELECT ON SEQUENCES TO {role}",
    ]
    if deletes:
        sql.append(f"GRANT DELETE ON {', '.join(deletes)} TO {role}")
    if append_only:
        sql.append(f"REVOKE UPDATE, DELETE, TRUNCATE ON {', '.join(append_only)} FROM {role}")
    if "alembic_version" in existing:
        sql.append(f"REVOKE INSERT, UPDATE ON alembic_version FROM {role}")
    return sql


async def grant_app_role(owner_url: str, role: str = DEFAULT_ROLE) -> list[str]:
    """Create (if missing) and grant the application role on the owner's database; the SQL
    run. Idempotent."""
    database = make_url(owner_url).database
    if not database:
        raise ValueError(f"the database URL names no database: {owner_url}")
    connection = await asyncpg.connect(asyncpg_dsn(owner_url))
    try:
        rows = await connection.fetch("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
        sql = statements(role, database, {row["tablename"] for row in rows})
        async with connection.transaction():
            for statement in sql:
                await connection.execute(statement)
    finally:
        await connection.close()
    return sql
