"""Signing in: ``POST /auth/token`` (OAuth2 password form) and ``GET /auth/me``."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Form, Request
from pydantic import BaseModel

from units.deps import CurrentUser, session_factory, token_config
from units.login_guard import client_address, login_guard
from units.security import issue_token

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


@router.post("/token", response_model=Token)
async def token(
    request: Request,
    username: Annotated[str, Form(min_length=1, max_length=64)],
    password: Annotated[str, Form(min_length=1, max_length=256)],
) -> Token:
    """Exchange a username and password for a bearer token."""
    guard = login_guard(request)
    user = await guard.sign_in(
        session_factory(request), username, password, client_address(request)
    )
    request.state.user = user  # for the audit trail (units.audit)
    config = token_config(request)
    access = issue_token(config, user.id, user.username, user.role, datetime.now(UTC))
    return Token(
        access_token=access,
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
