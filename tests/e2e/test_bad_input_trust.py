"""Issue 12, finding 10, beyond the corpus: a database error logs no patient data (the
engine's ``hide_parameters``), a value the database refuses is a 422 and not a 500, and a
malformed ``X-Request-Id`` is replaced by a fresh id instead of failing the request."""

from __future__ import annotations

import logging
import re

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from dispatch.http import logs
from tests.conftest import Login
from tests.e2e.bad_input_helpers import fingerprint
from tests.e2e.cases_helpers import CASES, case_body, signed_in
from tests.e2e.units_helpers import assert_problem

COMPLAINT = "张三 男 62岁 胸痛2h 病历号 QX-7731-secret"


async def make_case_inserts_fail(db: AsyncSession, sqlstate: str) -> None:
    """Inside the test's transaction (rolled back after it): every INSERT into cases raises."""
    await db.execute(
        text(
            "CREATE FUNCTION refuse_case_insert() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
            f"RAISE EXCEPTION 'refused by the test' USING ERRCODE = '{sqlstate}'; END $$"
        )
    )
    await db.execute(
        text(
            "CREATE TRIGGER refuse_case_insert BEFORE INSERT ON cases "
            "FOR EACH ROW EXECUTE FUNCTION refuse_case_insert()"
        )
    )


def rendered(caplog: pytest.LogCaptureFixture) -> str:
    """Every captured record as the process's one formatter writes it, plus pytest's text."""
    formatter = logs.formatter(json=True)
    return "\n".join([formatter.format(record) for record in caplog.records] + [caplog.text])


async def test_a_database_error_logs_no_patient_data(
    client: httpx.AsyncClient, login: Login, db: AsyncSession, caplog: pytest.LogCaptureFixture
) -> None:
    """A 500 from the database: the log names the error, never the statement's parameters."""
    await make_case_inserts_fail(db, "P0001")
    headers = await signed_in(login, "admin")
    with caplog.at_level(logging.DEBUG):
        response = await client.post(CASES, json=case_body(complaint=COMPLAINT), headers=headers)
    assert_problem(response, 500)
    log = rendered(caplog)
    assert "unhandled_error" in log
    assert "refused by the test" in log
    assert "QX-7731" not in log
    assert "张三" not in log


async def test_a_value_the_database_refuses_is_422_and_logged_without_it(
    client: httpx.AsyncClient, login: Login, db: AsyncSession, caplog: pytest.LogCaptureFixture
) -> None:
    """SQLSTATE class 22 (data exception) from the database: a 422 problem, no write."""
    await make_case_inserts_fail(db, "22003")
    headers = await signed_in(login, "admin")
    before = await fingerprint(db)
    with caplog.at_level(logging.DEBUG):
        response = await client.post(CASES, json=case_body(complaint=COMPLAINT), headers=headers)
    assert "/problems/invalid-value" == assert_problem(response, 422)["type"]
    assert before == await fingerprint(db)
    log = rendered(caplog)
    assert "value_refused_by_database" in log
    assert "QX-7731" not in log


FRESH_ID = re.compile(r"[0-9a-f]{32}")


@pytest.mark.parametrize(
    "sent",
    [
        b"\xff\xfe\xfd",  # not UTF-8
        b"\xc0\xaf",  # an overlong UTF-8 encoding of "/"
        b"abc\x01def",  # a control character
        b"abc\x00def",  # NUL
        b"a b",  # a space
        b"x" * 129,  # one past the longest
        b"",
    ],
)
async def test_a_malformed_request_id_is_replaced(client: httpx.AsyncClient, sent: bytes) -> None:
    """Not a 500: the request is served and answers a fresh id in X-Request-Id."""
    response = await client.get("/healthz", headers=[(b"x-request-id", sent)])
    assert 200 == response.status_code, response.text
    assert FRESH_ID.fullmatch(response.headers["x-request-id"])


@pytest.mark.parametrize(
    "sent",
    ["x" * 128, "3f1c2d4e-5b6a-4c7d-8e9f-0a1b2c3d4e5f", "trace:abc/def+ghi=", "a"],
)
async def test_a_well_formed_request_id_is_kept(client: httpx.AsyncClient, sent: str) -> None:
    """Printable ids up to 128 characters come back as they were sent."""
    response = await client.get("/healthz", headers={"X-Request-Id": sent})
    assert 200 == response.status_code
    assert sent == response.headers["x-request-id"]
