"""``GET /audit``: the audit trail, for admins and auditors (newest first, keyset pages)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query
from pydantic import BaseModel
from sqlalchemy import text

from units.deps import CurrentUser, SessionDep
from units.scope import require_role
from units.vocabulary import Role

router = APIRouter(tags=["audit"])

READERS = (Role.admin, Role.auditor)
MAX_ID = 2**63 - 1


class AuditEntry(BaseModel):
    id: int
    at: datetime
    user_id: int | None
    username: str | None
    role: str | None
    facility_id: str | None
    address: str | None
    request_id: str | None
    action: str
    method: str | None
    path: str | None
    object_type: str | None
    object_id: str | None
    case_id: int | None
    detail: dict[str, Any] | None
    prev_hash: str
    hash: str


class AuditPage(BaseModel):
    entries: list[AuditEntry]
    next_before_id: int | None  # pass as before_id for the next (older) page; None: no more


_PAGE = text(
    "SELECT id, at, user_id, username, role, facility_id, address, request_id, action, method,"
    " path, object_type, object_id, case_id, detail, prev_hash, hash FROM audit_log"
    " WHERE id < :before_id"
    " AND (CAST(:case_id AS bigint) IS NULL OR case_id = :case_id)"
    " AND (CAST(:username AS text) IS NULL OR username = :username)"
    " AND (CAST(:from_ AS timestamptz) IS NULL OR at >= :from_)"
    " AND (CAST(:to AS timestamptz) IS NULL OR at < :to)"
    " ORDER BY id DESC LIMIT :limit"
)


@router.get("/audit", response_model=AuditPage)
async def audit_entries(
    db: SessionDep,
    user: CurrentUser,
    case_id: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
    username: Annotated[str | None, Query(alias="user", min_length=1, max_length=64)] = None,
    from_: Annotated[datetime | None, Query(alias="from")] = None,
    to: datetime | None = None,
    before_id: Annotated[int, Query(ge=1, le=MAX_ID)] = MAX_ID,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> AuditPage:
    """Audit entries, newest first, filtered by case, user and period (``from`` included,
    ``to`` excluded); admin and auditor only."""
    require_role(user, READERS, "read the audit trail")
    rows = (
        await db.execute(
            _PAGE,
            {
                "before_id": before_id,
                "case_id": case_id,
                "username": username,
                "from_": from_,
                "to": to,
                "limit": limit + 1,
            },
        )
    ).mappings()
    entries = [AuditEntry.model_validate(dict(row)) for row in rows]
    more = len(entries) > limit
    entries = entries[:limit]
    return AuditPage(entries=entries, next_before_id=entries[-1].id if more else None)
