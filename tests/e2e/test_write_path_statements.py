"""Statements per write request (issue 17, the write path): a regression guard.

Counted here: the request's own statements (not the pool's ping, BEGIN and COMMIT, which a
server adds to each request, nor the savepoints the test's transaction adds). An alert's POST
is 9 (it was 20):

1. the token's session and its user;
2. the case, locked, with the facilities it was transferred to; 3. its events
   (``actions.locked_record``; the alert's stamp reuses both: ``events.remembered``);
4. the receiving facility; 5. the alert (``INSERT ... RETURNING`` the row);
6. the ``prealert_sent`` stamp (``RETURNING`` the row);
7. the case's read-model rows (``readmodel.write_rows``: one statement);
8. its frames on the three streams and their doorbells (``stream.append``), after the stamp and
   the read model: the streams' heads stay locked from here to the commit, and every alert to
   the same facility (and to the dispatch stream) waits for them;
9. the audit entry.

A stamp's POST is 6 (it was 19): 1, 2, 3, the stamp, the read model and the audit entry.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import httpx
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine

from tests.conftest import Login
from tests.e2e.alerts_helpers import alert_body, nandun_case, send
from tests.e2e.cases_helpers import iso, minutes_ago

# The test's sessions join its transaction with savepoints: not the request's own statements.
_SAVEPOINTS = ("SAVEPOINT", "RELEASE SAVEPOINT", "ROLLBACK TO SAVEPOINT")


@contextmanager
def statements(engine: AsyncEngine) -> Iterator[list[str]]:
    """The SQL statements run on ``engine`` while the block runs (savepoints left out)."""
    seen: list[str] = []

    def note(_c: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if not statement.lstrip().upper().startswith(_SAVEPOINTS):
            seen.append(statement)

    event.listen(engine.sync_engine, "before_cursor_execute", note)
    try:
        yield seen
    finally:
        event.remove(engine.sync_engine, "before_cursor_execute", note)


async def test_statements_of_an_alert_and_a_stamp(
    client: httpx.AsyncClient, login: Login, engine: AsyncEngine
) -> None:
    """An alert's POST runs 9 statements and a stamp's POST 6 (see the module's docstring);
    the alert's frames (the heads' locks) come last before the audit entry."""
    case_id, headers = await nandun_case(client, login)
    with statements(engine) as alert_sql:
        response = await send(client, headers, alert_body(case_id))
    assert 201 == response.status_code, response.text
    body = {"milestone": "first_ecg", "at": iso(minutes_ago(5))}
    with statements(engine) as stamp_sql:
        response = await client.post(f"/api/v1/cases/{case_id}/events", json=body, headers=headers)
    assert 201 == response.status_code, response.text
    assert (9, 6) == (len(alert_sql), len(stamp_sql)), alert_sql + stamp_sql
    heads = next(n for n, sql in enumerate(alert_sql) if "alert_stream_heads" in sql)
    read_model = next(n for n, sql in enumerate(alert_sql) if "report_cases" in sql)
    assert read_model < heads == len(alert_sql) - 2, alert_sql
