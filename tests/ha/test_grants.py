"""The lab's API processes run as the application role, as production does (issue 17 on the
role of issue 12, ``dispatch/app_role.py``).

The lab grants ``infofirst_app`` once, on the first primary, after the migrations; the standby
was cloned before that, so it holds the role and its grants only through physical replication
(they are catalog rows like any other write). Checked on the lab as it stands: in file order
this runs after ``test_failover``, so the primary is the promoted standby (node2); run alone,
node1 is, and the same must hold.

- Every connection of the API processes on the primary (``application_name`` ``infofirst``,
  ``dispatch/http/database.py``) is the application role's, never the owner's.
- On both nodes, primary and standby, the role logs in (the lab's pg_hba names it) and has
  exactly the rights of ``app_role.statements``: no superuser, no CREATE, INSERT but no UPDATE
  or DELETE on the stamps and the audit trail, UPDATE where the service updates.
- On the primary, as that role: a stamp's UPDATE and a CREATE TABLE are refused with 42501
  (insufficient_privilege), while an UPDATE it may make goes through (rolled back).
"""

from __future__ import annotations

import asyncio
from typing import Any

import asyncpg
import httpx
import pytest

from tests.ha.clients import SENDER, report, sign_in
from tests.ha.lab import APP_ROLE, OWNER, Lab, Node, node_url

APPLICATION = "infofirst"  # the API processes' application_name (dispatch/http/database.py)
# (privilege, expected): issue 12's role, dispatch/app_role.py
RIGHTS = (
    ("has_table_privilege($1, 'case_events', 'SELECT')", True),
    ("has_table_privilege($1, 'case_events', 'INSERT')", True),
    ("has_table_privilege($1, 'case_events', 'UPDATE')", False),
    ("has_table_privilege($1, 'case_events', 'DELETE')", False),
    ("has_table_privilege($1, 'audit_log', 'INSERT')", True),
    ("has_table_privilege($1, 'audit_log', 'UPDATE')", False),
    ("has_table_privilege($1, 'alerts', 'UPDATE')", True),
    ("has_table_privilege($1, 'report_cases', 'DELETE')", True),
    ("has_database_privilege($1, current_database(), 'CREATE')", False),
    ("has_schema_privilege($1, 'public', 'CREATE')", False),
    ("(SELECT rolsuper OR rolcreaterole OR rolcreatedb FROM pg_roles WHERE rolname = $1)", False),
)


async def rights(port: int) -> dict[str, Any]:
    """On the node at ``port``, as the application role: who we are, whether the node is a
    standby, and each of ``RIGHTS`` as the catalog there says."""
    connection = await asyncpg.connect(node_url(port, user=APP_ROLE), timeout=10)
    try:
        row = await connection.fetchrow(
            "SELECT current_user AS who, pg_is_in_recovery() AS standby, "
            + ", ".join(f"{expression} AS r{n}" for n, (expression, _) in enumerate(RIGHTS)),
            APP_ROLE,
        )
    finally:
        await connection.close(timeout=5)
    assert row is not None
    return dict(row)


async def api_users(port: int) -> dict[str, int]:
    """The API processes' connections on the node at ``port``, by user (seen by the owner)."""
    connection = await asyncpg.connect(node_url(port), timeout=10)
    try:
        rows = await connection.fetch(
            "SELECT usename, count(*) AS n FROM pg_stat_activity"
            " WHERE application_name = $1 AND backend_type = 'client backend' GROUP BY usename",
            APPLICATION,
        )
    finally:
        await connection.close(timeout=5)
    return {str(row["usename"]): int(row["n"]) for row in rows}


async def refused(primary: Node) -> dict[str, str]:
    """As the application role on the primary: what a stamp's UPDATE and a CREATE TABLE answer
    (the SQLSTATE, or ``done``), and an UPDATE it may make; all rolled back."""
    connection = await asyncpg.connect(node_url(primary.pg_port, user=APP_ROLE), timeout=10)
    answers: dict[str, str] = {}
    attempts = {
        "update_stamp": "UPDATE case_events SET recorded_by = recorded_by"
        " WHERE id = (SELECT min(id) FROM case_events)",
        "create_table": "CREATE TABLE ha_lab_probe (id int)",
        "update_alert": "UPDATE alerts SET summary = summary"
        " WHERE id = (SELECT min(id) FROM alerts)",
    }
    try:
        for name, sql in attempts.items():
            transaction = connection.transaction()
            await transaction.start()
            try:
                await connection.execute(sql)
                answers[name] = "done"
            except asyncpg.PostgresError as exc:
                answers[name] = str(exc.sqlstate)
            finally:
                await transaction.rollback()
    finally:
        await connection.close(timeout=5)
    return answers


@pytest.mark.timeout(300)
async def test_apis_run_as_the_application_role(lab: Lab, http: httpx.AsyncClient) -> None:
    """The APIs connect as infofirst_app, whose grants are on both nodes, and may not rewrite a
    stamp or make a table on the primary."""
    primary, standby = await asyncio.to_thread(lab.settled)
    for api in lab.apis:  # each API has used its pool (and holds its alert listener)
        await sign_in(http, api.url, SENDER)
    users = await api_users(primary.pg_port)
    on_primary, on_standby = await rights(primary.pg_port), await rights(standby.pg_port)
    answers = await refused(primary)
    report(
        {
            "app_role": APP_ROLE,
            "app_role_primary": primary.name,
            "app_role_api_connections": users,
            "app_role_refused": answers,
        }
    )

    assert sum(users.values()) >= len(lab.apis), users
    assert {APP_ROLE} == set(users), users  # never the owner (postgres)
    assert APP_ROLE != OWNER
    expected = {f"r{n}": value for n, (_, value) in enumerate(RIGHTS)}
    for node, seen, standby_flag in ((primary, on_primary, False), (standby, on_standby, True)):
        assert APP_ROLE == seen.pop("who"), node.name
        assert standby_flag is seen.pop("standby"), node.name
        wrong = [RIGHTS[int(key[1:])][0] for key in expected if seen.get(key) != expected[key]]
        assert not wrong, (node.name, wrong)
    assert "42501" == answers["update_stamp"], answers
    assert "42501" == answers["create_table"], answers
    assert "done" == answers["update_alert"], answers
