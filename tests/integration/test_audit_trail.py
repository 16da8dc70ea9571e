"""The audit trail and the stamps in the database (issue 12, finding 11): append-only for every
role, the hash chain and its verification, the application role's missing rights.

Most tests run in the test's rolled-back transaction, as the superuser the suite connects as:
the triggers refuse even it. The CLI and application-role tests commit (entries are never
removed; a tampered entry is restored in the same test).
"""

# ruff: noqa: S608 - the tests' own SQL, with integer ids and constants only

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator

import asyncpg
import pytest
from sqlalchemy import select, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, AsyncSession
from typer.testing import CliRunner, Result

from dispatch.app_role import app_url, grant_app_role, statements
from dispatch.cases.maintenance import remove_cases
from dispatch.cases.models import Case
from dispatch.cli import app
from dispatch.demo.county import DemoCounty
from dispatch.demo.load import reset_demo
from dispatch.settings import get_settings
from tests.conftest import CHAIN_AUDIT_NOW, TEST_DATABASE_URL
from units import audit

ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
CLI_ENV = {"INFOFIRST_DATABASE_URL": TEST_DATABASE_URL, "INFOFIRST_ENV": "test"}
APP_ROLE = f"{make_url(TEST_DATABASE_URL).database}_app".lower()


async def refused(connection: AsyncConnection, statement: str) -> str:
    """Run ``statement`` in a savepoint; it must fail; the error's text."""
    with pytest.raises(DBAPIError) as raised:
        async with connection.begin_nested():
            await connection.execute(text(statement))
    return str(raised.value.orig)


async def add_entries(connection: AsyncConnection, n: int, action: str = "test.entry") -> list[int]:
    """``n`` new entries; their ids."""
    for i in range(n):
        await audit.write(connection, audit.Entry(action=action, object_id=str(i), detail={"i": i}))
    # chained now rather than at the commit (migration 0037), so that their ids can be read
    await connection.execute(text(CHAIN_AUDIT_NOW))
    rows = await connection.execute(
        text("SELECT id FROM audit_log ORDER BY id DESC LIMIT :n"), {"n": n}
    )
    return sorted(row[0] for row in rows)


async def with_triggers_off(connection: AsyncConnection, *changes: str) -> None:
    """What a superuser could do behind the application's back: triggers off, changes."""
    await connection.execute(text("ALTER TABLE audit_log DISABLE TRIGGER USER"))
    for statement in changes:
        await connection.execute(text(statement))
    await connection.execute(text("ALTER TABLE audit_log ENABLE TRIGGER USER"))


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE audit_log SET action = 'forged'",
        "DELETE FROM audit_log",
        "TRUNCATE audit_log",
        "TRUNCATE audit_log CASCADE",
    ],
)
async def test_the_audit_log_refuses_update_delete_and_truncate(
    connection: AsyncConnection, statement: str
) -> None:
    """Even the superuser is refused (triggers fire for every role)."""
    await add_entries(connection, 1)
    assert "append-only" in await refused(connection, statement)


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE case_events SET note = 'x'",
        "DELETE FROM case_events",
        "TRUNCATE case_events",
        "TRUNCATE cases CASCADE",
    ],
)
async def test_stamps_refuse_update_delete_and_truncate(
    connection: AsyncConnection, db: AsyncSession, statement: str
) -> None:
    """The stamps: UPDATE (as before), DELETE and TRUNCATE, also through a cascade."""
    await db.execute(
        text(
            "INSERT INTO cases (pathway, status, drill, synthetic, location, input_crs, complaint,"
            " created_by, created_at) VALUES ('stemi', 'active', false, false,"
            " ST_SetSRID(ST_MakePoint(114.9, 33.4), 4326), 'wgs84', '', 't', now())"
        )
    )
    await db.execute(
        text(
            "INSERT INTO case_events (case_id, milestone, at, recorded_by, source, note, reason,"
            " flags) SELECT max(id), 'call_received', now(), 't', 'user', '', '', '{}' FROM cases"
        )
    )
    await db.flush()
    assert "append-only" in await refused(connection, statement)


@pytest.mark.parametrize("table", ["ambulance_positions", "ambulance_positions_default"])
async def test_a_gps_fix_cannot_be_changed_by_any_role(
    connection: AsyncConnection, db: AsyncSession, table: str
) -> None:
    """The track is its own record (issue 17, migration 0033): UPDATE of a fix is refused even
    to the superuser, through the parent or straight on a month's partition."""
    await db.execute(
        text(
            "INSERT INTO ambulance_positions (ambulance_id, recorded_at, received_at, position,"
            " input_crs, reported_by) SELECT id, now(), now(), ST_SetSRID(ST_MakePoint(114.9,"
            " 33.4), 4326), 'wgs84', 1 FROM ambulances ORDER BY id LIMIT 1"
        )
    )
    await db.execute(
        text(
            "INSERT INTO ambulance_positions (ambulance_id, recorded_at, received_at, position,"
            " input_crs) SELECT id, now(), '1990-01-01', ST_SetSRID(ST_MakePoint(114.9, 33.4),"
            " 4326), 'wgs84' FROM ambulances ORDER BY id LIMIT 1"
        )
    )
    await db.flush()
    assert "append-only" in await refused(connection, f"UPDATE {table} SET reported_by = 2")


async def test_a_case_with_stamps_cannot_be_deleted_except_by_owner_maintenance(
    connection: AsyncConnection, db: AsyncSession
) -> None:
    """No cascade: deleting a stamped case is refused; the owner's maintenance removes it."""
    await db.execute(
        text(
            "INSERT INTO cases (pathway, status, drill, synthetic, location, input_crs, complaint,"
            " created_by, created_at) VALUES ('stemi', 'active', false, false,"
            " ST_SetSRID(ST_MakePoint(114.9, 33.4), 4326), 'wgs84', '', 't', now())"
        )
    )
    case_id = await db.scalar(text("SELECT max(id) FROM cases"))
    await db.execute(
        text(
            "INSERT INTO case_events (case_id, milestone, at, recorded_by, source, note, reason,"
            " flags) VALUES (:id, 'call_received', now(), 't', 'user', '', '', '{}')"
        ),
        {"id": case_id},
    )
    await db.flush()
    with pytest.raises(IntegrityError):
        async with db.begin_nested():
            await db.execute(text("DELETE FROM cases WHERE id = :id"), {"id": case_id})
    await remove_cases(db, select(Case.id).where(Case.id == case_id))
    assert 0 == await db.scalar(text("SELECT count(*) FROM cases WHERE id = :id"), {"id": case_id})
    assert "append-only" in await refused(connection, "TRUNCATE case_events")  # enabled again


async def test_the_chain_holds_and_the_database_sets_ids_times_and_hashes(
    connection: AsyncConnection,
) -> None:
    """Entries chain one to the next; a forged id, time or hash in an INSERT is overwritten."""
    before = await audit.count(connection)
    await connection.execute(
        text(
            "INSERT INTO audit_log (id, at, prev_hash, hash, action)"
            " VALUES (999999999, '2000-01-01', 'forged', 'forged', 'test.forged')"
        )
    )
    ids = await add_entries(connection, 3)
    row = (
        await connection.execute(
            text(
                "SELECT id, at > now() - interval '1 hour', hash FROM audit_log WHERE action ="
                " 'test.forged' ORDER BY id DESC LIMIT 1"
            )
        )
    ).one()
    assert (before + 1, True) == (row[0], row[1])
    assert "forged" != row[2]
    assert [before + 2, before + 3, before + 4] == ids
    verdict = await audit.verify(connection, chunk=2)
    assert audit.Verdict(before + 4, None) == verdict


async def test_a_changed_entry_is_named(connection: AsyncConnection) -> None:
    """An entry changed behind the triggers: verify names it."""
    ids = await add_entries(connection, 3)
    await with_triggers_off(
        connection, f"UPDATE audit_log SET detail = '{{\"i\": 9}}' WHERE id = {ids[1]}"
    )
    verdict = await audit.verify(connection, chunk=1000)
    assert (ids[1], ids[1] - 1) == (verdict.broken_id, verdict.checked)


async def test_a_changed_entry_with_a_recomputed_hash_breaks_the_next_link(
    connection: AsyncConnection,
) -> None:
    """Recomputing the changed entry's hash does not help: the next entry names it."""
    ids = await add_entries(connection, 3)
    await with_triggers_off(
        connection,
        f"UPDATE audit_log SET action = 'test.rewritten' WHERE id = {ids[0]}",
        f"UPDATE audit_log r SET hash = {audit.HASH} WHERE id = {ids[0]}",
    )
    assert ids[1] == (await audit.verify(connection)).broken_id


async def test_a_deleted_entry_is_named(connection: AsyncConnection) -> None:
    """An entry removed from the middle: verify names the missing id."""
    ids = await add_entries(connection, 3)
    await with_triggers_off(connection, f"DELETE FROM audit_log WHERE id = {ids[1]}")
    verdict = await audit.verify(connection)
    assert (ids[1], "missing entry") == (verdict.broken_id, verdict.reason)


async def cli(*args: str) -> tuple[Result, str]:
    """Run an ``infofirst`` command on the test database (in a thread: it runs its own loop)."""
    get_settings.cache_clear()
    try:
        result = await asyncio.to_thread(lambda: CliRunner().invoke(app, list(args), env=CLI_ENV))
    finally:
        get_settings.cache_clear()
    return result, " ".join(ANSI.sub("", result.output).split())


@pytest.fixture
async def committed_entries(engine: AsyncEngine) -> list[int]:
    """Three committed entries (the audit trail keeps them)."""
    async with engine.begin() as connection:
        return await add_entries(connection, 3, "test.cli")


async def test_audit_verify_exits_0_when_the_chain_holds_and_1_naming_a_broken_entry(
    engine: AsyncEngine, committed_entries: list[int]
) -> None:
    """``infofirst audit verify``: 0 on the real chain; a tampered entry: 1 and its id; the
    entry restored, 0 again."""
    result, output = await cli("audit", "verify")
    assert 0 == result.exit_code, output
    assert "audit chain holds" in output
    target = committed_entries[1]
    try:
        async with engine.begin() as connection:
            await with_triggers_off(
                connection, f"UPDATE audit_log SET action = 'test.tampered' WHERE id = {target}"
            )
        result, output = await cli("audit", "verify", "--chunk", "2")
        assert 1 == result.exit_code, output
        assert f"broken at entry {target}" in output
    finally:
        async with engine.begin() as connection:
            await with_triggers_off(
                connection, f"UPDATE audit_log SET action = 'test.cli' WHERE id = {target}"
            )
    result, output = await cli("audit", "verify")
    assert 0 == result.exit_code, output


def test_a_role_name_is_checked() -> None:
    """Role names go into SQL: only plain lower-case identifiers."""
    with pytest.raises(ValueError, match="role name"):
        statements("app; DROP TABLE cases", "db", set())


@pytest.fixture(scope="module")
async def app_role(engine: AsyncEngine) -> AsyncIterator[asyncpg.Connection]:
    """A connection as the application role, granted on the test database."""
    await grant_app_role(TEST_DATABASE_URL, APP_ROLE)
    await grant_app_role(TEST_DATABASE_URL, APP_ROLE)  # idempotent
    dsn = make_url(app_url(TEST_DATABASE_URL, APP_ROLE)).set(drivername="postgresql")
    connection = await asyncpg.connect(dsn.render_as_string(hide_password=False))
    yield connection
    await connection.close()


@pytest.mark.parametrize(
    "statement",
    [
        "DELETE FROM case_events WHERE id = (SELECT min(id) FROM case_events)",
        "UPDATE case_events SET note = note WHERE false",
        "TRUNCATE case_events",
        "TRUNCATE audit_log",
        "UPDATE audit_log SET action = action WHERE false",
        "DELETE FROM audit_log WHERE false",
        "DELETE FROM audit_pending WHERE false",
        "UPDATE audit_pending SET action = action WHERE false",
        "DELETE FROM ambulance_positions WHERE false",
        "UPDATE ambulance_positions SET heading = heading WHERE false",
        "TRUNCATE ambulance_positions",
        "DROP TRIGGER ambulance_positions_no_update ON ambulance_positions",
        "DROP TRIGGER audit_log_no_change ON audit_log",
        "DROP TRIGGER case_events_no_delete ON case_events",
        "ALTER TABLE audit_log DISABLE TRIGGER USER",
        "ALTER TABLE case_events DISABLE TRIGGER ALL",
        "CREATE TABLE intruder (x int)",
        "DROP TABLE cases",
        "SET session_replication_role = replica",
        "CREATE OR REPLACE FUNCTION refuse_change() RETURNS trigger LANGUAGE sql AS 'SELECT NULL'",
    ],
)
async def test_the_application_role_lacks_the_rights_to_rewrite_the_record(
    app_role: asyncpg.Connection, statement: str
) -> None:
    """The service's role owns nothing: no DELETE/UPDATE/TRUNCATE of stamps or audit entries,
    no DDL, no disabling of triggers."""
    with pytest.raises(asyncpg.exceptions.InsufficientPrivilegeError):
        async with app_role.transaction():
            await app_role.execute(statement)


async def test_the_application_role_does_its_work(app_role: asyncpg.Connection) -> None:
    """It reads, writes entries (chained by the database), updates ordinary tables and deletes
    where the service deletes (the report read model, the ECG rota's shifts)."""
    transaction = app_role.transaction()
    await transaction.start()
    try:
        assert await app_role.fetchval("SELECT count(*) FROM facilities") > 0
        await app_role.execute(
            "INSERT INTO audit_log (id, at, prev_hash, hash, action) VALUES"
            " (0, now(), '', '', 'test.app_role')"
        )
        assert 64 == len(
            await app_role.fetchval("SELECT hash FROM audit_log ORDER BY id DESC LIMIT 1")
        )
        # as the service writes them: pending, chained at commit (here at once) by the owner
        await app_role.execute("INSERT INTO audit_pending (action) VALUES ('test.app_pending')")
        await app_role.execute(CHAIN_AUDIT_NOW)
        assert "test.app_pending" == await app_role.fetchval(
            "SELECT action FROM audit_log ORDER BY id DESC LIMIT 1"
        )
        assert 0 == await app_role.fetchval("SELECT count(*) FROM audit_pending")
        await app_role.execute("UPDATE facilities SET phone = phone WHERE false")
        await app_role.execute("DELETE FROM report_facts WHERE false")
        # the report rows' triggers note what changed; the fold (at commit, here at once)
        await app_role.execute("UPDATE report_facts SET minutes = minutes WHERE false")
        await app_role.execute("UPDATE report_cases SET missing = missing WHERE false")
        await app_role.execute("SET CONSTRAINTS report_rollup_fold IMMEDIATE")
        await app_role.execute("DELETE FROM ecg_rota_shifts WHERE false")  # DELETE /ecg-rota
        await app_role.execute(
            "INSERT INTO ambulance_positions (ambulance_id, recorded_at, position, input_crs,"
            " reported_by) SELECT id, now(), ST_SetSRID(ST_MakePoint(114.9, 33.4), 4326),"
            " 'wgs84', 1 FROM ambulances ORDER BY id LIMIT 1"
        )
    finally:
        await transaction.rollback()


async def test_demo_reset_removes_stamped_demo_cases_as_the_owner(
    connection: AsyncConnection, db: AsyncSession, demo_county: DemoCounty
) -> None:
    """``demo load --reset`` still removes the demo's cases with their stamps, delay reasons and
    ECGs (the owner's maintenance), and the stamps' triggers are on again afterwards."""
    await db.execute(
        text(
            "INSERT INTO cases (pathway, status, drill, synthetic, location, input_crs, complaint,"
            " created_by, created_facility_id, created_at) VALUES ('stemi', 'active', false,"
            " false, ST_SetSRID(ST_MakePoint(114.9, 33.4), 4326), 'wgs84', '', 't',"
            " 'county-hospital', now())"
        )
    )
    case_id = await db.scalar(text("SELECT max(id) FROM cases"))
    await db.execute(
        text(
            "INSERT INTO case_events (case_id, milestone, at, recorded_by, source, note, reason,"
            " flags) VALUES (:id, 'call_received', now(), 't', 'user', '', '', '{}')"
        ),
        {"id": case_id},
    )
    await db.execute(
        text(
            "INSERT INTO delay_reasons (case_id, metric, facility_key, code, note, recorded_by,"
            " recorded_at) VALUES (:id, 'door_to_wire', '', 'other', '', 't', now())"
        ),
        {"id": case_id},
    )
    await db.execute(
        text(
            "INSERT INTO attachments (id, sha256, content_type, size, filename, content,"
            " uploaded_by, created_at) VALUES ('00000000-0000-4000-8000-00000000e0c9', 'x',"
            " 'image/png', 1, '', 'x', 't', now())"
        )
    )
    await db.execute(
        text(
            "WITH e AS (INSERT INTO ecgs (case_id, attachment_id, status, sent_by, drill, pathway,"
            " complaint, received_at) VALUES (:id, '00000000-0000-4000-8000-00000000e0c9', 'read',"
            " 't', false, 'stemi', '', now()) RETURNING id) INSERT INTO ecg_readings (ecg_id,"
            " finding, text, read_by, read_at, reason) SELECT id, 'stemi', '', 'r', now(), ''"
            " FROM e"
        ),
        {"id": case_id},
    )
    await reset_demo(db, demo_county)
    await db.flush()
    assert 0 == await db.scalar(
        text("SELECT count(*) FROM case_events WHERE case_id = :id"), {"id": case_id}
    )
    enabled = await db.scalars(
        text(
            "SELECT tgenabled::text FROM pg_trigger WHERE tgrelid = 'case_events'::regclass"
            " AND NOT tgisinternal"
        )
    )
    assert {"O"} == set(enabled)
    assert "append-only" in await refused(connection, "TRUNCATE case_events")


MIGRATION_DATABASE_URL = (
    make_url(TEST_DATABASE_URL)
    .set(database=f"{make_url(TEST_DATABASE_URL).database}_audit_migration")
    .render_as_string(hide_password=False)
)


async def test_migration_0013_downgrades_and_upgrades_again() -> None:
    """On a scratch database: down to 0010 (no audit_log, stamps cascade again), up again."""
    from alembic import command

    from dispatch import migrate

    await asyncio.to_thread(migrate.upgrade, MIGRATION_DATABASE_URL)
    config = migrate.alembic_config(MIGRATION_DATABASE_URL)
    dsn = make_url(MIGRATION_DATABASE_URL).set(drivername="postgresql")
    fk = (
        "SELECT confdeltype::text FROM pg_constraint WHERE conrelid = 'case_events'::regclass"
        " AND confrelid = 'cases'::regclass"
    )

    async def state() -> tuple[object, object]:
        connection = await asyncpg.connect(dsn.render_as_string(hide_password=False))
        try:
            table = await connection.fetchval("SELECT to_regclass('audit_log')::text")
            return table, await connection.fetchval(fk)
        finally:
            await connection.close()

    assert ("audit_log", "r") == await state()  # r: RESTRICT
    await asyncio.to_thread(command.downgrade, config, "0010")
    assert (None, "c") == await state()  # c: CASCADE
    await asyncio.to_thread(command.upgrade, config, "head")
    assert ("audit_log", "r") == await state()
