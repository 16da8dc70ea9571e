"""RFC 9457 problem+json for every error, from one table of exception classes.

Every error a client can cause answers with ``{"type", "title", "status", "detail"}`` and a
4xx status; a database that cannot be reached (a connection that cannot be opened, a lost
connection, a server shutting down or starting) is a 503; anything unexpected, including any
other ``OSError`` or ``TimeoutError``, is a 500 with no stack trace (the trace goes to the log).

Every ``type`` the API can answer is listed here (``problem_types()``): the pages translate each
one (``dispatch/web/static/js/problems.js``), and a unit test fails for a type without both
translations. Structured fields beside ``detail`` let the pages say more in the user's language:
``kind`` and ``id`` (not-found), ``current``/``requested``/``allowed`` (illegal status change),
``retry_after_seconds`` (locked sign-in), ``errors[].code`` and ``errors[].ctx`` (invalid input,
pydantic's error type and its limits).
"""

from __future__ import annotations

from typing import Any

import asyncpg.exceptions as asyncpg_errors
import asyncpg.exceptions._base as asyncpg_base_errors
import structlog
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from starlette.exceptions import HTTPException as StarletteHTTPException

from alerts import exceptions as alerts_errors
from dispatch.cases import exceptions as case_errors
from dispatch.http.database import DatabaseUnreachable
from dispatch.reports import exceptions as report_errors
from geo import exceptions as geo_errors
from units import exceptions as units_errors

log = structlog.get_logger(__name__)

PROBLEM_JSON = "application/problem+json"

# exception class → (status, type slug, title). The first matching class (in MRO order) wins.
PROBLEMS: dict[type[Exception], tuple[int, str, str]] = {
    units_errors.NotAuthenticated: (401, "not-authenticated", "Not signed in"),
    units_errors.Forbidden: (403, "forbidden", "Not allowed"),
    units_errors.NotFound: (404, "not-found", "Not found"),
    units_errors.IllegalStatusChange: (409, "illegal-status-change", "Status change not allowed"),
    units_errors.Conflict: (409, "conflict", "Conflict"),
    units_errors.TooManyAttempts: (429, "too-many-attempts", "Too many failed sign-ins"),
    units_errors.LoginBusy: (503, "login-busy", "Too many sign-ins at once"),
    units_errors.WeakPassword: (422, "weak-password", "Password refused"),
    case_errors.InvalidDelayReason: (422, "invalid-delay-reason", "No delay reason for this"),
    case_errors.InvalidEvent: (422, "invalid-event", "Cannot record this"),
    case_errors.IdempotencyMismatch: (422, "idempotency-key-reused", "Idempotency-Key reused"),
    case_errors.AlreadySuperseded: (409, "already-superseded", "Already corrected"),
    case_errors.DispatchConflict: (409, "dispatch-conflict", "Cannot dispatch"),
    case_errors.InvalidFindings: (422, "invalid-findings", "Findings out of range"),
    case_errors.CaseClosed: (409, "case-closed", "Case closed"),
    case_errors.TransferFirst: (409, "transfer-first", "Transfer the patient there first"),
    geo_errors.UnknownCoordinateSystem: (422, "unknown-crs", "Unknown coordinate system"),
    geo_errors.InvalidCoordinate: (422, "invalid-coordinate", "Invalid coordinate"),
    geo_errors.InvalidTime: (422, "invalid-time", "Implausible time"),
    geo_errors.ImportRejected: (422, "import-rejected", "Import rejected"),
    geo_errors.OutsideMappedArea: (422, "outside-mapped-area", "Outside the mapped area"),
    geo_errors.NoRoadNetwork: (503, "no-road-network", "No road network loaded"),
    alerts_errors.AlertRejected: (422, "alert-rejected", "Alert refused"),
    alerts_errors.EcgRejected: (422, "ecg-rejected", "ECG refused"),
    alerts_errors.RotaRejected: (422, "rota-rejected", "Rota shift refused"),
    alerts_errors.RotaOverlap: (409, "rota-overlap", "Rota shifts overlap"),
    alerts_errors.AlertClosed: (409, "alert-closed", "Alert already closed"),
    alerts_errors.KeyReused: (422, "idempotency-key-reused", "Idempotency-Key reused"),
    alerts_errors.AttachmentTooLarge: (413, "attachment-too-large", "Attachment too large"),
    alerts_errors.AttachmentRejected: (422, "attachment-rejected", "Attachment refused"),
    report_errors.InvalidReport: (422, "invalid-report", "Cannot make this report"),
    report_errors.EmptyPeriod: (404, "empty-period", "No cases in the period"),
}


# The types answered by the handlers below rather than by the exception table: slug → title.
HTTP_ERROR_TITLES: dict[int, str] = {
    404: "Not found",
    405: "Method not allowed",
    413: "Body too large",
}
HTTP_ERROR_FALLBACK = "HTTP error"
HANDLER_PROBLEMS: dict[str, str] = {
    "invalid-input": "Invalid input",
    "invalid-value": "Invalid value",
    "database-unavailable": "Database unavailable",
    "database-busy": "Database busy",
    "internal-error": "Internal error",
}


def http_error_slug(title: str) -> str:
    """The type slug of an HTTP error's title ("Method not allowed" → method-not-allowed)."""
    return title.lower().replace(" ", "-")


def problem_types() -> frozenset[str]:
    """Every problem ``type`` slug the API can answer (``/problems/<slug>``)."""
    http_errors = (*HTTP_ERROR_TITLES.values(), HTTP_ERROR_FALLBACK)
    return (
        frozenset(slug for _, slug, _ in PROBLEMS.values())
        | frozenset(HANDLER_PROBLEMS)
        | frozenset(http_error_slug(title) for title in http_errors)
    )


def problem(status: int, slug: str, title: str, detail: str, **extra: Any) -> JSONResponse:
    """A problem+json response."""
    body: dict[str, Any] = {
        "type": f"/problems/{slug}",
        "title": title,
        "status": status,
        "detail": detail,
    }
    body.update(extra)
    headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
    return JSONResponse(body, status_code=status, media_type=PROBLEM_JSON, headers=headers)


def _lookup(exc: Exception) -> tuple[int, str, str] | None:
    for cls in type(exc).__mro__:
        if cls in PROBLEMS:
            return PROBLEMS[cls]
    return None


async def _domain_error(request: Request, exc: Exception) -> JSONResponse:
    found = _lookup(exc)
    if found is None:
        return await _unexpected(request, exc)
    status, slug, title = found
    extra: dict[str, Any] = {}
    if isinstance(exc, units_errors.IllegalStatusChange):
        extra = {"current": exc.current, "requested": exc.requested, "allowed": list(exc.allowed)}
    if isinstance(exc, geo_errors.ImportRejected):
        extra = {"rows": [{"row": p.row, "reason": p.reason} for p in exc.problems]}
    if isinstance(exc, units_errors.NotFound):
        extra = {"kind": exc.kind, "id": exc.ident}
    if isinstance(exc, units_errors.TooManyAttempts | units_errors.LoginBusy):
        extra = {"retry_after_seconds": exc.retry_after_seconds}
    response = problem(status, slug, title, str(exc), **extra)
    if isinstance(exc, units_errors.TooManyAttempts | units_errors.LoginBusy):
        response.headers["Retry-After"] = str(exc.retry_after_seconds)
    return response


def _location(loc: tuple[Any, ...] | list[Any]) -> str:
    parts = [str(part) for part in loc if part not in ("body",)]
    return ".".join(parts) or "body"


# pydantic's context values a page may show (limits, expected values), never the input itself.
SHOWN_CONTEXT = ("ge", "gt", "le", "lt", "min_length", "max_length", "expected", "multiple_of")


def _context(error: dict[str, Any]) -> dict[str, str | int | float]:
    ctx = error.get("ctx") or {}
    return {
        key: value if isinstance(value, int | float) else str(value)
        for key, value in ctx.items()
        if key in SHOWN_CONTEXT and isinstance(value, str | int | float)
    }


def _field_error(error: dict[str, Any]) -> dict[str, Any]:
    loc = error.get("loc", ())
    code = str(error.get("type", ""))
    if code == "json_invalid":  # loc is ("body", character offset), not a field
        where = loc[-1] if loc else "?"
        reason = error.get("ctx", {}).get("error", "")
        message = f"invalid JSON at character {where}: {reason}"
        return {"field": "body", "message": message, "code": code, "ctx": {}}
    field = _location(loc)
    return {
        "field": field,
        "message": str(error.get("msg", "")),
        "code": code,
        "ctx": _context(error),
    }


async def _validation_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)  # noqa: S101 - registered for this class only
    errors = [_field_error(error) for error in exc.errors()]
    detail = "; ".join(f"{e['field']}: {e['message']}" for e in errors[:10])
    return problem(422, "invalid-input", "Invalid input", detail, errors=errors)


async def _http_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)  # noqa: S101 - registered for this class only
    title = HTTP_ERROR_TITLES.get(exc.status_code, HTTP_ERROR_FALLBACK)
    slug = http_error_slug(title)
    detail = exc.detail if isinstance(exc.detail, str) else title
    if exc.status_code == 404 and detail == "Not Found":
        detail = f"no such path: {request.url.path}"
    headers = dict(exc.headers or {})
    if exc.status_code == 405 and detail == "Method Not Allowed":
        allowed = headers.get("Allow", "")
        detail = f"{request.method} is not allowed on {request.url.path}; allowed: {allowed}"
    response = problem(exc.status_code, slug, title, detail)
    response.headers.update(headers)  # e.g. Allow on a 405
    return response


async def _database_unavailable(request: Request, exc: Exception) -> JSONResponse:
    log.error("database_unavailable", error=str(exc).splitlines()[0] if str(exc) else "")
    response = problem(
        503,
        "database-unavailable",
        "Database unavailable",
        "the database cannot be reached; nothing was saved: retry shortly",
    )
    response.headers["Retry-After"] = "5"
    return response


async def _database_busy(request: Request, exc: Exception) -> JSONResponse:
    log.error("database_busy", error=type(exc).__name__)
    response = problem(
        503,
        "database-busy",
        "Database busy",
        "no database connection was free in time; nothing was saved: retry shortly",
    )
    response.headers["Retry-After"] = "1"
    return response


async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
    log.exception("unhandled_error", path=request.url.path)
    return problem(500, "internal-error", "Internal error", "an unexpected error was logged")


def install(app: FastAPI) -> None:
    """Register the handlers on the app."""
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    for cls in PROBLEMS:
        app.add_exception_handler(cls, _domain_error)
    app.add_exception_handler(OperationalError, _database_unavailable)
    app.add_exception_handler(DatabaseUnreachable, _database_unavailable)
    app.add_exception_handler(DBAPIError, _db_error)
    app.add_exception_handler(PoolTimeout, _database_busy)
    app.add_exception_handler(Exception, _unexpected)


# SQLSTATEs of a database that is not there or cannot take this request now: connection
# exceptions (class 08), insufficient resources (class 53: too many connections, out of memory,
# disk full), and a server shutting down or starting up (57P01 admin_shutdown, 57P02
# crash_shutdown, 57P03 cannot_connect_now, e.g. "the database system is shutting down"), and a
# server that has become a read-only standby under the connection (25006
# read_only_sql_transaction: a Patroni primary demoting itself; the write was not made).
UNAVAILABLE_SQLSTATES = ("08", "53", "57P01", "57P02", "57P03", "25006")


# SQLSTATE class 22, data exception: a value the database refuses (out of range, NUL byte,
# bad date). The request's validation should have refused it first; when it did not, the
# client still gets a 422, never a 500 (and the transaction was rolled back: nothing written).
DATA_EXCEPTION_SQLSTATE = "22"


def _is_data_error(exc: DBAPIError) -> bool:
    """The database (SQLSTATE 22xxx) or asyncpg before sending (a value it cannot encode, such
    as an integer past 2^63 or a datetime out of range) refused one of the values."""
    sqlstate = str(getattr(exc.orig, "sqlstate", None) or "")
    cause = exc.orig.__cause__ if exc.orig is not None else None
    return sqlstate.startswith(DATA_EXCEPTION_SQLSTATE) or isinstance(
        cause, asyncpg_errors.DataError | asyncpg_base_errors.DataError
    )


async def _db_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, DBAPIError)  # noqa: S101 - registered for this class only
    sqlstate = str(getattr(exc.orig, "sqlstate", None) or "")
    if exc.connection_invalidated or sqlstate.startswith(UNAVAILABLE_SQLSTATES):
        return await _database_unavailable(request, exc)
    if _is_data_error(exc):
        # Only the class and SQLSTATE: the message may quote the value (patient data).
        log.warning("value_refused_by_database", sqlstate=sqlstate, error=type(exc.orig).__name__)
        return problem(
            422,
            "invalid-value",
            "Invalid value",
            "a value is out of range or holds characters that cannot be stored; nothing was saved",
        )
    return await _unexpected(request, exc)
