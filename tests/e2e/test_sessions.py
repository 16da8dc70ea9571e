"""Sessions end (issue 12, findings 1, 2 and 9): signing out, a password change, a disabled
account; the sign-in form names demo logins only off production; a production start refuses
demo passwords."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx
import jwt
import pytest
from fastapi import FastAPI
from pydantic import SecretStr
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from dispatch.app import DemoPasswordsInProduction, create_app, refuse_demo_passwords
from dispatch.settings import Settings
from tests.conftest import Login
from units import accounts, sessions
from units.security import TokenConfig, hash_password, issue_token, read_token

ME = "/api/v1/auth/me"


async def status(client: httpx.AsyncClient, headers: dict[str, str]) -> int:
    return (await client.get(ME, headers=headers)).status_code


async def test_logout_ends_the_session_and_only_that_one(
    client: httpx.AsyncClient, login: Login
) -> None:
    """After POST /auth/logout the same token gets 401; the user's other session goes on."""
    first, second = await login("dispatcher"), await login("dispatcher")
    assert (200, 200) == (await status(client, first), await status(client, second))
    response = await client.post("/api/v1/auth/logout", headers=first)
    assert 204 == response.status_code
    assert (401, 200) == (await status(client, first), await status(client, second))
    again = await client.get(ME, headers=first)
    assert "logout" in again.json()["detail"]
    assert 401 == (await client.post("/api/v1/auth/logout", headers=first)).status_code


async def test_a_password_change_ends_every_session(
    client: httpx.AsyncClient, login: Login
) -> None:
    """POST /auth/password ends all of the user's sessions; the new password signs in, the old
    does not; other users' sessions are untouched."""
    mine, also_mine, other = await login("auditor"), await login("auditor"), await login("admin")
    change = {"current_password": "demo", "new_password": "a-much-longer-password-1"}
    response = await client.post("/api/v1/auth/password", json=change, headers=mine)
    assert 204 == response.status_code, response.text
    assert (401, 401, 200) == (
        await status(client, mine),
        await status(client, also_mine),
        await status(client, other),
    )
    old = await client.post("/api/v1/auth/token", data={"username": "auditor", "password": "demo"})
    new = await client.post(
        "/api/v1/auth/token",
        data={"username": "auditor", "password": "a-much-longer-password-1"},
    )
    assert (401, 200) == (old.status_code, new.status_code)


@pytest.mark.parametrize(
    ("current", "new", "code", "slug"),
    [
        ("wrong-password", "a-much-longer-password-1", 403, "forbidden"),
        ("demo", "nine-char", 422, "weak-password"),  # 9 characters: one below the minimum
        ("demo", "demo", 422, "weak-password"),
        ("demo", "AUDITOR", 422, "weak-password"),
    ],
)
async def test_a_refused_password_change_changes_nothing(
    client: httpx.AsyncClient, login: Login, current: str, new: str, code: int, slug: str
) -> None:
    """A wrong current password (403) or a weak new one (422) keeps the session and password."""
    headers = await login("auditor")
    change = {"current_password": current, "new_password": new}
    response = await client.post("/api/v1/auth/password", json=change, headers=headers)
    assert (code, f"/problems/{slug}") == (response.status_code, response.json()["type"])
    assert 200 == await status(client, headers)


@pytest.mark.parametrize(("failures", "then"), [(4, 204), (5, 429)])
async def test_the_current_password_check_obeys_the_sign_in_lockout(
    client: httpx.AsyncClient,
    login: Login,
    db: AsyncSession,
    settings: Settings,
    failures: int,
    then: int,
) -> None:
    """A stolen token cannot be used to guess the current password: the check is a sign-in.
    One failure below the account's limit, the right password still changes it (204); at the
    limit the account is locked (429 with Retry-After), even for the right password, and the
    session and the password stay. (The failures are written beforehand: the test's single
    connection would roll back those a refused request records.)"""
    assert 5 == settings.login_account_max_failures
    headers = await login("auditor")
    for _ in range(failures):
        await db.execute(
            text(
                "INSERT INTO login_failures (username, address, at, reason, counted)"
                " VALUES ('auditor', '192.0.2.7', now(), 'wrong_password', true)"
            )
        )
    await db.commit()
    right = {"current_password": "demo", "new_password": "a-much-longer-password-1"}
    response = await client.post("/api/v1/auth/password", json=right, headers=headers)
    assert then == response.status_code, response.text
    if then == 429:
        assert "/problems/too-many-attempts" == response.json()["type"]
        assert int(response.headers["Retry-After"]) > 0
        assert 200 == await status(client, headers)


async def test_ten_characters_is_long_enough(client: httpx.AsyncClient, login: Login) -> None:
    """A new password of exactly 10 characters is accepted (the boundary)."""
    headers = await login("auditor")
    change = {"current_password": "demo", "new_password": "ten-chars!"}
    assert (
        204
        == (await client.post("/api/v1/auth/password", json=change, headers=headers)).status_code
    )


async def test_disabling_a_user_ends_its_sessions_and_its_sign_in(
    client: httpx.AsyncClient, login: Login, db: AsyncSession
) -> None:
    """A disabled user's open token gets 401 and it cannot sign in; enabled again, it signs in
    (a new session: the old token stays ended)."""
    headers = await login("crew-amb-03")
    user, ended = await accounts.set_active(db, "crew-amb-03", False)
    await db.commit()
    assert (False, 1) == (user.active, ended)
    assert 401 == await status(client, headers)
    form = {"username": "crew-amb-03", "password": "demo"}
    assert 401 == (await client.post("/api/v1/auth/token", data=form)).status_code
    await accounts.set_active(db, "crew-amb-03", True)
    await db.commit()
    assert 401 == await status(client, headers)
    assert 200 == await status(client, await login("crew-amb-03"))


async def test_a_validly_signed_token_without_a_session_is_refused(
    client: httpx.AsyncClient, app: FastAPI
) -> None:
    """Signing with the server's own key is not enough: the session must exist (a token minted
    outside sign-in, e.g. with a leaked key, for a 10-year admin, is refused)."""
    config: TokenConfig = app.state.token_config
    forged = issue_token(
        TokenConfig(config.secret, timedelta(days=3650)), 1, "admin", "admin", datetime.now(UTC)
    )
    response = await client.get(ME, headers={"Authorization": f"Bearer {forged.token}"})
    assert (401, "/problems/not-authenticated") == (response.status_code, response.json()["type"])


async def test_the_sign_in_form_names_demo_logins_only_off_production(
    client: httpx.AsyncClient, settings: Settings, app: FastAPI
) -> None:
    """/web/config says to show the demo logins in test mode, not in production."""
    assert True is (await client.get("/api/v1/web/config")).json()["show_demo_logins"]
    app.state.settings = settings.model_copy(update={"env": "production"})
    assert False is (await client.get("/api/v1/web/config")).json()["show_demo_logins"]


async def test_production_refuses_to_start_while_a_user_has_a_demo_password(
    sessionmaker: async_sessionmaker[AsyncSession], db: AsyncSession
) -> None:
    """The demo county's users have the demo password: a production start is refused naming
    them; once they are disabled (the control), the check passes."""
    with pytest.raises(DemoPasswordsInProduction, match="demo password"):
        await refuse_demo_passwords(sessionmaker)
    await db.execute(text("UPDATE users SET active = false WHERE demo_password"))
    await db.commit()
    await refuse_demo_passwords(sessionmaker)


async def test_a_demo_password_set_outside_the_service_is_found_by_its_hash(
    sessionmaker: async_sessionmaker[AsyncSession], db: AsyncSession
) -> None:
    """A demo password written straight into the table (not flagged) is still found: the
    start checks every active user's hash against the demo passwords, off the event loop."""
    await db.execute(text("UPDATE users SET active = false WHERE demo_password"))
    await db.execute(
        text(
            "UPDATE users SET active = true, demo_password = false, password_hash = :demo"
            " WHERE username = 'crew-amb-03'"
        ),
        {"demo": hash_password("demo")},
    )
    await db.commit()
    with pytest.raises(DemoPasswordsInProduction, match=r"\(crew-amb-03\)"):
        await refuse_demo_passwords(sessionmaker)
    await db.execute(
        text("UPDATE users SET password_hash = :real WHERE username = 'crew-amb-03'"),
        {"real": hash_password("a-real-password-of-a-crew")},
    )
    await db.commit()
    await refuse_demo_passwords(sessionmaker)


async def test_a_token_forged_with_the_old_built_in_secret_is_refused(
    client: httpx.AsyncClient, app: FastAPI
) -> None:
    """Finding 1: a 10-year admin token signed with the secret that used to be in the source
    (with jti, iss and aud) is refused; no setting may even hold that secret."""
    old = "infofirst-dev-secret-not-for-production-use"
    assert old != app.state.token_config.secret
    forged = issue_token(
        TokenConfig(old, timedelta(days=3650)), 1, "admin", "admin", datetime.now(UTC)
    )
    response = await client.get(ME, headers={"Authorization": f"Bearer {forged.token}"})
    assert (401, "/problems/not-authenticated") == (response.status_code, response.json()["type"])
    with pytest.raises(ValueError, match="published"):
        Settings(env="dev", secret_key=SecretStr(old))


async def test_a_production_app_does_not_start_with_demo_users(settings: Settings) -> None:
    """The production lifespan stops before serving anything while demo passwords exist."""
    production = settings.model_copy(update={"env": "production"})
    app = create_app(production)
    with pytest.raises(DemoPasswordsInProduction):
        async with app.router.lifespan_context(app):
            pass


async def test_is_open_says_whether_a_session_may_still_be_used(
    client: httpx.AsyncClient, login: Login, db: AsyncSession, app: FastAPI
) -> None:
    """units.sessions.is_open (for the websockets): open until its expiry (a second before:
    open; at it: not), not after signing out, not for an unknown id or a disabled user."""
    headers = await login("auditor")
    token = headers["Authorization"].removeprefix("Bearer ")
    claims = read_token(app.state.token_config, token, datetime.now(UTC))
    jti, expiry = claims.session_id, claims.expires_at
    assert (True, False, False) == (
        await sessions.is_open(db, jti, expiry - timedelta(seconds=1)),
        await sessions.is_open(db, jti, expiry),
        await sessions.is_open(db, "no-such-session", datetime.now(UTC)),
    )
    await accounts.set_active(db, "auditor", False)
    assert False is await sessions.is_open(db, jti, datetime.now(UTC))
    await db.rollback()
    assert True is await sessions.is_open(db, jti, datetime.now(UTC))
    assert 204 == (await client.post("/api/v1/auth/logout", headers=headers)).status_code
    assert False is await sessions.is_open(db, jti, datetime.now(UTC))


async def test_renew_extends_the_same_session_up_to_its_longest_life(
    client: httpx.AsyncClient, login: Login, db: AsyncSession
) -> None:
    """POST /auth/renew gives a token of the same session with a fresh lifetime; signing out
    ends both; a session older than INFOFIRST_SESSION_MAX_DAYS (30) is not renewed, one just
    younger is."""
    headers = await login("cathlab-county-hospital")
    renewed = await client.post("/api/v1/auth/renew", headers=headers)
    assert 200 == renewed.status_code, renewed.text
    new = {"Authorization": f"Bearer {renewed.json()['access_token']}"}
    old_jti = jwt.decode(headers["Authorization"][7:], options={"verify_signature": False})["jti"]
    new_jti = jwt.decode(new["Authorization"][7:], options={"verify_signature": False})["jti"]
    assert old_jti == new_jti
    assert 200 == await status(client, new)
    await db.execute(
        text("UPDATE sessions SET started_at = now() - interval '29 days 23 hours' WHERE jti = :j"),
        {"j": new_jti},
    )
    await db.commit()
    short = await client.post("/api/v1/auth/renew", headers=new)
    assert 200 == short.status_code  # an hour of life left: renewed up to the limit only
    assert short.json()["expires_in"] <= 3600
    await db.execute(
        text("UPDATE sessions SET started_at = now() - interval '30 days 1 minute' WHERE jti = :j"),
        {"j": new_jti},
    )
    await db.commit()
    assert 401 == (await client.post("/api/v1/auth/renew", headers=new)).status_code
    await client.post("/api/v1/auth/logout", headers=new)
    assert (401, 401) == (await status(client, headers), await status(client, new))


async def test_a_disabled_user_cannot_renew_nor_get_a_ticket(
    client: httpx.AsyncClient, login: Login, db: AsyncSession
) -> None:
    """Renewal and websocket tickets need an open session of an active user."""
    headers = await login("cathlab-county-hospital")
    ticket = await client.post("/api/v1/auth/ws-ticket", headers=headers)
    assert (200, 30) == (ticket.status_code, ticket.json()["expires_in"])
    assert len(ticket.json()["ticket"]) >= 40
    await accounts.set_active(db, "cathlab-county-hospital", False)
    await db.commit()
    assert 401 == (await client.post("/api/v1/auth/renew", headers=headers)).status_code
    assert 401 == (await client.post("/api/v1/auth/ws-ticket", headers=headers)).status_code
