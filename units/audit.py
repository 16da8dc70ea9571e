"""The audit trail (issue 12, finding 11): who did or read what, when, from where.

Entries go to ``audit_log`` (migration 0013): append-only (UPDATE, DELETE and TRUNCATE refused
by triggers, for every role) and hash-chained: a trigger gives each entry its id, its time (the
server's clock), the previous entry's hash and its own, ``sha256(prev_hash | canonical text)``
computed in PostgreSQL, whatever the inserting role wrote. ``verify`` recomputes every hash with
its own copy of the canonical expression (a changed trigger does not fool it).

What is recorded, by one mechanism: ``audited``, a dependency of every API route, writes one
entry after the handler succeeded, in the request's own transaction (the write and its entry
commit together): every write (POST/PUT/PATCH/DELETE) and the reads of patient data listed in
``READS``. Services add what only they know (a PATCH's before/after, a new object's id) with
``note(db, ...)``; failed sign-ins come from the login guard's ``on_failure`` hook.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import structlog
from fastapi import Request
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession, async_sessionmaker

from geo.deps import SessionDep
from units.batched import BatchedWriter
from units.login_guard import LoginFailure, client_address

GENESIS = "0" * 64
API_PREFIX = "/api/v1"
WRITES = frozenset({"POST", "PUT", "PATCH", "DELETE"})
_NOTE_KEY = "infofirst.audit"

# The canonical text of an entry ``r``; the same expression as the trigger's (migration 0013).
CANONICAL = """concat_ws(',', r.id, quote_nullable((extract(epoch FROM r.at) * 1000000)::bigint),
    quote_nullable(r.user_id), quote_nullable(r.username), quote_nullable(r.role),
    quote_nullable(r.facility_id), quote_nullable(r.address), quote_nullable(r.request_id),
    quote_nullable(r.action), quote_nullable(r.method), quote_nullable(r.path),
    quote_nullable(r.object_type), quote_nullable(r.object_id), quote_nullable(r.case_id),
    quote_nullable(r.detail))"""
HASH = f"encode(sha256(convert_to(r.prev_hash || '|' || {CANONICAL}, 'UTF8')), 'hex')"

# Action names of the API's routes (method, template without the prefix). A write not listed is
# still recorded (as ``write``); a read is recorded only if listed (patient data).
WRITE_ACTIONS: dict[tuple[str, str], str] = {
    ("POST", "/auth/token"): "auth.login",
    ("POST", "/auth/logout"): "auth.logout",
    ("POST", "/auth/renew"): "auth.renew",
    ("POST", "/auth/ws-ticket"): "auth.ws_ticket",
    ("POST", "/auth/password"): "auth.password_change",
    ("POST", "/cases"): "case.create",
    ("PATCH", "/cases/{case_id}"): "case.update",
    ("POST", "/cases/{case_id}/events"): "stamp.create",
    ("POST", "/cases/{case_id}/dispatch"): "case.dispatch",
    ("POST", "/cases/{case_id}/transfer"): "case.transfer",
    ("POST", "/cases/{case_id}/reopen"): "case.reopen",
    ("PUT", "/cases/{case_id}/delay-reasons/{metric}"): "case.delay_reason",
    ("POST", "/cases/{case_id}/cancel"): "case.cancel",
    ("POST", "/alerts"): "alert.create",
    ("POST", "/alerts/{alert_id}/ack"): "alert.ack",
    ("POST", "/alerts/{alert_id}/cancel"): "alert.cancel",
    ("POST", "/attachments"): "attachment.create",
    ("PATCH", "/facilities/{facility_id}"): "facility.update",
    ("POST", "/ambulances/{ambulance_id}/status"): "ambulance.status",
}
# A GPS fix is not here: its rows are its record, and its route is outside the audited router
# (units/track_router.py says why).
READS: dict[str, str] = {
    "/cases": "case.list",
    "/cases/{case_id}": "case.read",
    "/cases/{case_id}/decision": "case.decision.read",
    "/cases/{case_id}/timeline.svg": "case.timeline.read",
    "/alerts": "alert.list",
    "/alerts/{alert_id}": "alert.read",
    "/facilities/{facility_id}/alerts": "alert.list",
    "/dispatch/alerts": "alert.list",
    "/ambulances/{ambulance_id}/missions": "mission.list",
    "/attachments/{attachment_id}": "attachment.read",
    "/reports/intervals": "report.read",
    "/reports/cpc-export": "report.cpc_export",
    "/audit": "audit.read",
}
# Path parameters naming the object, in order of preference.
OBJECT_PARAMS = ("case_id", "alert_id", "attachment_id", "facility_id", "ambulance_id")

# An entry is written to audit_pending and chained into audit_log when its transaction commits
# (migration 0037): the chain's lock is then held from the chaining to the end of the commit
# only, not from the request's last statement across its answer and the process's COMMIT.
_INSERT = text(
    "INSERT INTO audit_pending (user_id, username, role, facility_id, address, request_id,"
    " action, method, path, object_type, object_id, case_id, detail)"
    " VALUES (:user_id, :username, :role, :facility_id, :address, :request_id, :action,"
    " :method, :path, :object_type, :object_id, :case_id, CAST(:detail AS jsonb))"
)


@dataclass
class Entry:
    """One audit entry as written (id, time and hashes are the database's)."""

    action: str
    user_id: int | None = None
    username: str | None = None
    role: str | None = None
    facility_id: str | None = None
    address: str | None = None
    request_id: str | None = None
    method: str | None = None
    path: str | None = None
    object_type: str | None = None
    object_id: str | None = None
    case_id: int | None = None
    detail: dict[str, Any] | None = None


@dataclass
class Note:
    """What a service adds to its request's entry."""

    object_id: str | None = None
    case_id: int | None = None
    detail: dict[str, Any] = field(default_factory=dict)


def note(
    db: AsyncSession,
    *,
    object_id: str | int | None = None,
    case_id: int | None = None,
    **detail: Any,
) -> None:
    """Add to the entry of the request whose transaction ``db`` is (e.g. ``before=``/``after=``
    of a PATCH, the id of a created object); without a request, nothing is written."""
    current = db.info.setdefault(_NOTE_KEY, Note())
    if object_id is not None:
        current.object_id = str(object_id)
    if case_id is not None:
        current.case_id = case_id
    current.detail.update(detail)


def snapshot(obj: object, fields: Iterable[str]) -> dict[str, Any]:
    """The values of ``fields`` of ``obj`` as JSON (a PATCH's before or after); a status
    change brings ``closed_at`` along."""
    names = set(fields)
    if "status" in names and hasattr(obj, "closed_at"):
        names.add("closed_at")
    return {name: _jsonable(getattr(obj, name, None)) for name in sorted(names)}


def _jsonable(value: Any) -> Any:
    if value is None or isinstance(value, str | int | float | bool):
        return value
    if isinstance(value, list | tuple):
        return [_jsonable(item) for item in value]
    if isinstance(value, datetime):
        return value.isoformat()
    return str(value)


async def write(db: AsyncSession | AsyncConnection, entry: Entry) -> None:
    """Append one entry in ``db``'s transaction (chained into audit_log at its commit)."""
    detail = None if entry.detail is None else json.dumps(entry.detail, default=str)
    await db.execute(
        _INSERT,
        {
            "user_id": entry.user_id,
            "username": entry.username,
            "role": entry.role,
            "facility_id": entry.facility_id,
            "address": entry.address,
            "request_id": entry.request_id,
            "action": entry.action,
            "method": entry.method,
            "path": entry.path,
            "object_type": entry.object_type,
            "object_id": entry.object_id,
            "case_id": entry.case_id,
            "detail": detail,
        },
    )


def action_for(method: str, template: str) -> str | None:
    """The action of a request to the route ``template`` (under the API prefix); None: not
    recorded (a read of no patient data)."""
    local = template.removeprefix(API_PREFIX)
    if method in WRITES:
        return WRITE_ACTIONS.get((method, local), "write")
    return READS.get(local) if method == "GET" else None


def _int(value: Any) -> int | None:
    try:
        number = int(value)
    except (TypeError, ValueError):
        return None
    return number if -(2**63) <= number < 2**63 else None


async def _body_case_id(request: Request) -> int | None:
    """The ``case_id`` of a JSON body already read by the handler (e.g. an alert's)."""
    if "json" not in request.headers.get("content-type", ""):
        return None
    try:
        body = await request.json()
    except (ValueError, RuntimeError):
        return None
    return _int(body.get("case_id")) if isinstance(body, dict) else None


async def entry_for(request: Request, db: AsyncSession) -> Entry | None:
    """The entry of a request whose handler succeeded, or None if it is not recorded."""
    route = request.scope.get("route")
    template = str(getattr(route, "path", request.url.path))
    action = action_for(request.method, template)
    if action is None:
        return None
    user = getattr(request.state, "user", None)
    params = request.path_params
    extra: Note = db.info.pop(_NOTE_KEY, None) or Note()
    name = next((p for p in OBJECT_PARAMS if p in params), None)
    object_id = extra.object_id or (str(params[name]) if name else None)
    case_id = extra.case_id or _int(params.get("case_id")) or await _body_case_id(request)
    query = str(request.url.query)
    return Entry(
        action=action,
        user_id=getattr(user, "id", None),
        username=getattr(user, "username", None),
        role=getattr(user, "role", None),
        facility_id=getattr(user, "facility_id", None),
        address=client_address(request),
        request_id=structlog.contextvars.get_contextvars().get("request_id"),
        method=request.method,
        path=request.url.path + (f"?{query}" if query else ""),
        object_type=action.split(".")[0],
        object_id=object_id,
        case_id=case_id,
        detail=extra.detail or None,
    )


async def audited(request: Request, db: SessionDep) -> AsyncIterator[None]:
    """Router dependency: after a successful handler, its entry in the request's transaction.

    It depends on the request's session, so it is set up after it and torn down before the
    session commits; a handler that raised writes nothing (its transaction is rolled back).
    """
    yield
    if not getattr(request.app.state, "audit_enabled", True):
        return
    entry = await entry_for(request, db)
    if entry is not None:
        await write(db, entry)


def _failure_entry(failure: LoginFailure) -> Entry:
    return Entry(
        action="auth.login_failed",
        username=failure.username,
        address=failure.address,
        request_id=structlog.contextvars.get_contextvars().get("request_id"),
        method="POST",
        path=f"{API_PREFIX}/auth/token",
        object_type="auth",
        detail={"reason": failure.reason},
    )


class LoginFailureAudit(BatchedWriter[Entry]):
    """Failed sign-ins into the audit trail (the login guard's ``on_failure`` hook), in batches.

    Each entry takes the chain's lock until its transaction commits, so a flood of wrong
    passwords written one transaction each would make every alert's and stamp's own entry wait
    behind a queue of commits: while ``run`` drains them, failures are written in batches, one
    transaction each (``units.batched``; none is dropped, ``flush`` writes the rest at stop).
    """

    def __init__(
        self,
        sessions: Callable[[], async_sessionmaker[AsyncSession]],
        max_batch: int = 500,
        max_queue: int = 10_000,
    ) -> None:
        self._sessions = sessions
        super().__init__(self._write_entries, max_batch, max_queue)

    async def hook(self, failure: LoginFailure) -> None:
        await self.submit(_failure_entry(failure))

    async def _write_entries(self, entries: list[Entry]) -> None:
        async with self._sessions()() as db, db.begin():
            for entry in entries:
                await write(db, entry)


# --- verification ---


@dataclass(frozen=True)
class Verdict:
    """The outcome of ``verify``: entries checked, and the first broken one (None: it holds)."""

    checked: int
    broken_id: int | None
    reason: str | None = None


# One pass in PostgreSQL over the entries in id order (a window over the primary key): each
# hash recomputed, each link and id checked; only broken entries and one entry in ``every``
# (for progress) and the newest come back, through a server-side cursor.
_VERIFY = (
    "SELECT id, before_id, sound, linked FROM ("  # noqa: S608 - constants only
    f" SELECT r.id, lag(r.id) OVER w AS before_id, r.hash = {HASH} AS sound,"
    f" r.prev_hash = coalesce(lag(r.hash) OVER w, '{GENESIS}') AS linked"
    " FROM audit_log r WINDOW w AS (ORDER BY r.id)) s"
    " WHERE NOT sound OR NOT linked OR id <> coalesce(before_id, 0) + 1"
    " OR id % $1 = 0 OR id = (SELECT max(id) FROM audit_log)"
    " ORDER BY id"
)


async def verify(
    connection: AsyncConnection,
    chunk: int = 50_000,
    progress: Callable[[int], None] | None = None,
) -> Verdict:
    """Check the whole chain, streamed in chunks of ``chunk`` entries through a server-side
    cursor: ids 1, 2, ... without a gap, each hash recomputed from its entry, each entry linked
    to the one before. The first broken entry is named; ``progress`` gets the entries checked.

    The cursor is asyncpg's own, fetching one returned row at a time: rows come back only
    every ``chunk`` entries (or broken), so each fetch is one chunk of the table."""
    await connection.execute(text("SELECT 1"))  # the transaction a server-side cursor needs
    raw: Any = (await connection.get_raw_connection()).driver_connection  # asyncpg's
    checked = 0
    async for entry_id, before_id, sound, linked in raw.cursor(_VERIFY, chunk, prefetch=1):
        expected = (before_id or 0) + 1
        if entry_id != expected:
            return Verdict(expected - 1, expected, "missing entry")
        if not sound:
            return Verdict(entry_id - 1, entry_id, "hash does not match the entry")
        if not linked:
            return Verdict(entry_id - 1, entry_id, "not linked to the entry before")
        checked = entry_id
        if progress is not None:
            progress(checked)
    return Verdict(checked, None)


async def count(connection: AsyncConnection) -> int:
    """How many entries there are (the newest id)."""
    return int(await connection.scalar(text("SELECT coalesce(max(id), 0) FROM audit_log")) or 0)
