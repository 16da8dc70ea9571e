"""Login throttling (issue 12, finding 3): 429 with Retry-After, lockouts, failures recorded."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx
from fastapi import FastAPI
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from tests.statements import statements_on
from units.login_guard import LoginFailure, LoginGuard

TOKEN = "/api/v1/auth/token"


class Clock:
    def __init__(self) -> None:
        self.now = datetime.now(UTC)

    def __call__(self) -> datetime:
        return self.now


def guard(app: FastAPI) -> LoginGuard:
    found = app.state.login_guard
    assert isinstance(found, LoginGuard)
    return found


async def attempt(client: httpx.AsyncClient, username: str, password: str) -> httpx.Response:
    return await client.post(TOKEN, data={"username": username, "password": password})


async def test_thirty_wrong_passwords_get_429_with_retry_after(
    client: httpx.AsyncClient, db: AsyncSession
) -> None:
    """Finding 3: 30 wrong passwords in a row were all 401; from the 6th on they are 429."""
    statuses = [(await attempt(client, "admin", f"guess-{i}")).status_code for i in range(30)]
    last = await attempt(client, "admin", "guess-30")
    assert [401] * 5 + [429] * 25 == statuses
    assert 429 == last.status_code
    assert "application/problem+json" == last.headers["content-type"]
    assert "/problems/too-many-attempts" == last.json()["type"]
    assert 0 < int(last.headers["Retry-After"]) <= 900
    reasons = dict(
        (
            await db.execute(
                text(
                    "SELECT reason, count(*) FROM login_failures"
                    " WHERE username = 'admin' GROUP BY reason"
                )
            )
        ).all()
    )
    assert {"wrong_password": 5, "account_locked": 26} == reasons


async def test_correct_password_refused_during_lockout_then_accepted(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    """Finding 3: the right password during a lockout is a 429; after the lockout it signs in."""
    clock = Clock()
    guard(app).clock = clock
    for i in range(5):
        assert 401 == (await attempt(client, "dispatcher", f"wrong-{i}")).status_code
    clock.now += timedelta(seconds=899)
    during = await attempt(client, "dispatcher", "demo")
    assert (429, "1") == (during.status_code, during.headers["Retry-After"])
    clock.now += timedelta(seconds=1)
    assert 200 == (await attempt(client, "dispatcher", "demo")).status_code


async def test_lockout_grows_after_the_first(app: FastAPI, client: httpx.AsyncClient) -> None:
    """After a lockout each further failure locks again; the 10th locks twice as long."""
    clock = Clock()
    guard(app).clock = clock
    for i in range(5):
        await attempt(client, "auditor", f"wrong-{i}")
    for i in range(4):
        clock.now += timedelta(seconds=900)
        assert 401 == (await attempt(client, "auditor", f"again-{i}")).status_code
        relocked = await attempt(client, "auditor", "demo")
        assert (429, "900") == (relocked.status_code, relocked.headers["Retry-After"])
    clock.now += timedelta(seconds=900)
    assert 401 == (await attempt(client, "auditor", "tenth")).status_code
    locked = await attempt(client, "auditor", "demo")
    assert (429, "1800") == (locked.status_code, locked.headers["Retry-After"])


async def test_four_failures_then_success_clears_the_account(client: httpx.AsyncClient) -> None:
    """Below the threshold a correct password signs in and the account's count starts again."""
    for i in range(4):
        assert 401 == (await attempt(client, "auditor", f"wrong-{i}")).status_code
    assert 200 == (await attempt(client, "auditor", "demo")).status_code
    for i in range(4):
        assert 401 == (await attempt(client, "auditor", f"later-{i}")).status_code
    assert 200 == (await attempt(client, "auditor", "demo")).status_code


async def test_one_address_across_many_accounts_is_locked(client: httpx.AsyncClient) -> None:
    """Finding 3: 20 accounts tried once each from one address lock the address, not at 19."""
    for i in range(19):
        assert 401 == (await attempt(client, f"crew-amb-{i + 1:02d}", "wrong")).status_code
    assert 200 == (await attempt(client, "dispatcher", "demo")).status_code
    assert 401 == (await attempt(client, "nobody-at-all", "wrong")).status_code
    refused = await attempt(client, "dispatcher", "demo")
    assert 429 == refused.status_code
    assert "Retry-After" in refused.headers


async def test_unknown_users_are_recorded_and_fed_to_the_hooks(
    app: FastAPI, client: httpx.AsyncClient, db: AsyncSession
) -> None:
    """Every failure is recorded (who, which account, from where, when, why) and handed on."""
    seen: list[LoginFailure] = []

    async def hook(failure: LoginFailure) -> None:
        seen.append(failure)

    guard(app).on_failure.append(hook)
    assert 401 == (await attempt(client, "no-such-user", "x")).status_code
    row = (
        await db.execute(
            text("SELECT address, reason, at FROM login_failures WHERE username = 'no-such-user'")
        )
    ).one()
    assert ("127.0.0.1", "unknown_user") == (row.address, row.reason)
    assert [("no-such-user", "unknown_user")] == [(f.username, f.reason) for f in seen]


async def test_a_second_check_in_flight_from_one_address_is_429(
    app: FastAPI, client: httpx.AsyncClient, db: AsyncSession
) -> None:
    """Finding 3: parallel guesses from one address queued argon2 checks; with one check in
    flight from an address, another from it is refused at once (429, Retry-After: 1), counted."""
    guard(app)._in_flight["127.0.0.1"] = 1
    refused = await attempt(client, "admin", "demo")
    assert (429, "1") == (refused.status_code, refused.headers["Retry-After"])
    reason = await db.scalar(text("SELECT reason FROM login_failures WHERE username = 'admin'"))
    assert "concurrent" == reason
    guard(app)._in_flight.clear()
    assert 200 == (await attempt(client, "admin", "demo")).status_code


async def lock_the_address(client: httpx.AsyncClient) -> None:
    """20 failures from one address (one per account) lock it: the 21st attempt is 429."""
    for i in range(20):
        assert 401 == (await attempt(client, f"crew-amb-{i + 1:02d}", "wrong")).status_code
    assert 429 == (await attempt(client, "dispatcher", "demo")).status_code


async def test_a_locked_address_is_refused_from_memory_without_a_query(
    app: FastAPI, client: httpx.AsyncClient, connection: AsyncConnection, db: AsyncSession
) -> None:
    """Issue 12: a flood from a locked address cost two transactions per attempt. Once the store
    said the address is locked, its attempts are refused without counting in the store (for
    ``lock_memory``), still 429 with Retry-After, still recorded (reason address_locked)."""
    clock = Clock()
    guard(app).clock = clock
    await lock_the_address(client)
    statements = statements_on(connection, "login_failures")
    refused = [await attempt(client, "admin", f"guess-{i}") for i in range(10)]
    assert {429} == {r.status_code for r in refused}
    assert 0 < int(refused[-1].headers["Retry-After"]) <= 900
    assert [] == [s for s in statements if s.lstrip().upper().startswith("SELECT")]
    recorded = await db.scalar(
        text("SELECT count(*) FROM login_failures WHERE username = 'admin' AND NOT counted")
    )
    assert 10 == recorded


async def test_a_remembered_lock_is_checked_again_after_lock_memory(
    app: FastAPI, client: httpx.AsyncClient, db: AsyncSession
) -> None:
    """Remembering is never looser than the store and stricter by at most ``lock_memory``: with
    the address's failures gone from the store (an operator cleared them), the address stays
    refused for at most those seconds, then signs in."""
    clock = Clock()
    guard(app).clock = clock
    await lock_the_address(client)
    await db.execute(text("DELETE FROM login_failures WHERE address = '127.0.0.1'"))
    await db.flush()
    memory = guard(app).lock_memory
    clock.now += memory - timedelta(seconds=1)
    assert 429 == (await attempt(client, "dispatcher", "demo")).status_code
    clock.now += timedelta(seconds=1)
    assert 200 == (await attempt(client, "dispatcher", "demo")).status_code


async def test_refusals_are_queued_while_the_server_drains_them_and_none_is_lost(
    app: FastAPI, client: httpx.AsyncClient, db: AsyncSession
) -> None:
    """While the server's loop drains them (here: marked draining, written by ``flush`` at the
    end, as at stop), refusals that do not count are queued, not written one transaction each;
    counted failures are written before the answer; none is lost."""
    writer = guard(app).refusals
    assert writer is not None
    writer.draining.set()
    await lock_the_address(client)
    for i in range(30):
        assert 429 == (await attempt(client, "admin", f"guess-{i}")).status_code

    async def recorded() -> dict[str, int]:
        rows = await db.execute(
            text(
                "SELECT CASE WHEN counted THEN 'counted' ELSE reason END, count(*)"
                " FROM login_failures WHERE address = '127.0.0.1' GROUP BY 1"
            )
        )
        return {str(reason): int(n) for reason, n in rows.all()}

    assert {"counted": 20} == await recorded()
    writer.draining.clear()
    await writer.flush()
    assert {"counted": 20, "address_locked": 31} == await recorded()
