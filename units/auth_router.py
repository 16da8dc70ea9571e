"""Signing in and out: ``POST /auth/token`` (OAuth2 password form), ``GET /auth/me``,
``POST /auth/logout`` and ``POST /auth/password``.

Every token names a session (``units/sessions.py``): signing out ends it, a password change
ends all of the user's sessions (websockets included: they are closed with code 4401).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Annotated

from fastapi import APIRouter, Form, Request, Response
from pydantic import BaseModel, Field

from units import ws_tickets
from units.accounts import DEMO_PASSWORDS, password_problem
from units.deps import CurrentClaims, CurrentUser, SessionDep, session_factory, token_config
from units.exceptions import Forbidden, NotAuthenticated, WeakPassword
from units.login_guard import client_address, login_guard
from units.security import issue_token
from units.sessions import EndedBy, open_session, renew, revoke, revoke_all

router = APIRouter(prefix="/auth", tags=["auth"])


class Token(BaseModel):
    access_token: str
    token_type: str = "bearer"  # noqa: S105 - the OAuth2 token type, not a secret
    expires_in: int
    role: str
    facility_id: str | None
    ambulance_id: str | None


class Me(BaseModel):
    username: str
    display_name: str
    role: str
    facility_id: str | None
    ambulance_id: str | None


class PasswordChange(BaseModel):
    current_password: str = Field(min_length=1, max_length=256)
    new_password: str = Field(min_length=1, max_length=256)


@router.post("/token", response_model=Token)
async def token(
    request: Request,
    username: Annotated[str, Form(min_length=1, max_length=64)],
    password: Annotated[str, Form(min_length=1, max_length=256)],
) -> Token:
    """Exchange a username and password for a bearer token (a new session)."""
    guard = login_guard(request)
    address = client_address(request)
    sessions = session_factory(request)
    user = await guard.sign_in(sessions, username, password, address)
    request.state.user = user  # for the audit trail (units.audit)
    config = token_config(request)
    issued = issue_token(config, user.id, user.username, user.role, datetime.now(UTC))
    async with sessions() as db, db.begin():
        await open_session(db, issued.claims, address)
    return Token(
        access_token=issued.token,
        expires_in=int(config.ttl.total_seconds()),
        role=user.role,
        facility_id=user.facility_id,
        ambulance_id=user.ambulance_id,
    )


@router.get("/me", response_model=Me)
async def me(user: CurrentUser) -> Me:
    """Who the token belongs to."""
    return Me(
        username=user.username,
        display_name=user.display_name,
        role=user.role,
        facility_id=user.facility_id,
        ambulance_id=user.ambulance_id,
    )


@router.post("/logout", status_code=204, response_class=Response)
async def logout(db: SessionDep, claims: CurrentClaims) -> Response:
    """End this token's session: the token is refused from now on (401)."""
    await revoke(db, claims.session_id, EndedBy.logout, datetime.now(UTC))
    return Response(status_code=204)


class WsTicket(BaseModel):
    ticket: str
    expires_in: int


@router.post("/ws-ticket", response_model=WsTicket)
async def ws_ticket(request: Request, db: SessionDep, claims: CurrentClaims) -> WsTicket:
    """A one-time ticket to open an alert websocket with (``?ticket=``), good for a few
    seconds on any API process; the socket then lives as long as this session."""
    seconds = float(request.app.state.settings.ws_ticket_seconds)
    ticket = await ws_tickets.issue(
        db, claims.session_id, datetime.now(UTC), timedelta(seconds=seconds)
    )
    return WsTicket(ticket=ticket, expires_in=int(seconds))


@router.post("/renew", response_model=Token)
async def renew_token(
    request: Request, db: SessionDep, user: CurrentUser, claims: CurrentClaims
) -> Token:
    """A fresh token for the same session (wall screens and tablets stay signed in): valid for
    the normal lifetime again, never past the session's longest life after its sign-in."""
    config = token_config(request)
    now = datetime.now(UTC)
    max_age = timedelta(days=float(request.app.state.settings.session_max_days))
    expires = await renew(db, claims, now, config.ttl, max_age)
    issued = issue_token(
        config, user.id, user.username, user.role, now, claims.session_id, expires_at=expires
    )
    return Token(
        access_token=issued.token,
        expires_in=max(0, int((issued.claims.expires_at - now).total_seconds())),
        role=user.role,
        facility_id=user.facility_id,
        ambulance_id=user.ambulance_id,
    )


@router.post("/password", status_code=204, response_class=Response)
async def change_password(
    request: Request, db: SessionDep, user: CurrentUser, change: PasswordChange
) -> Response:
    """Change the signed-in user's password; every session of the user ends (sign in again).

    The current password is checked like a sign-in (same lockout, 429 with Retry-After while
    the account or address is locked; every failure recorded), so a stolen token cannot be
    used to guess it."""
    guard = login_guard(request)
    try:
        await guard.sign_in(
            session_factory(request),
            user.username,
            change.current_password,
            client_address(request),
        )
    except NotAuthenticated as exc:  # 403, not 401: the caller is signed in
        raise Forbidden("the current password is wrong") from exc
    problem = password_problem(user.username, change.new_password)
    if problem is not None:
        raise WeakPassword(problem)
    user.password_hash = await guard.pool.hash(change.new_password)
    user.demo_password = change.new_password in DEMO_PASSWORDS
    await revoke_all(db, user.id, EndedBy.password_changed, datetime.now(UTC))
    return Response(status_code=204)
