"""Operations endpoints: liveness (public), readiness and Prometheus metrics (operations
networks or an admin only: ``dispatch.http.ops_access``)."""

from __future__ import annotations

from typing import Any, cast

from fastapi import APIRouter, Depends, Request, Response
from fastapi.responses import JSONResponse
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from dispatch.http.ops_access import require_ops

router = APIRouter(tags=["operations"])


@router.get("/healthz")
async def healthz() -> dict[str, str]:
    """The process is up."""
    return {"status": "ok"}


@router.get("/readyz", dependencies=[Depends(require_ops)])
async def readyz(request: Request) -> JSONResponse:
    """The process can serve: the database answers with PostGIS, the alert listener is alive
    and every supervised background loop is running (none down or waiting to restart)."""
    engine = cast(AsyncEngine, request.app.state.engine)
    checks: dict[str, Any] = {}
    try:
        async with engine.connect() as connection:
            version = await connection.scalar(text("SELECT postgis_lib_version()"))
        checks["database"] = {"ok": True, "postgis": version}
    except Exception as exc:  # noqa: BLE001 - readiness reports any failure as not ready
        checks["database"] = {"ok": False, "error": type(exc).__name__}
    listener = getattr(request.app.state, "alert_listener", None)
    if listener is not None:
        checks["alert_listener"] = {"ok": listener.alive(), "reconnects": listener.reconnects}
    supervisor = getattr(request.app.state, "supervisor", None)
    if supervisor is not None and supervisor.states:
        checks["supervisor"] = {"ok": supervisor.ready(), "loops": supervisor.report()}
    ready = all(check["ok"] for check in checks.values())
    return JSONResponse({"ready": ready, "checks": checks}, status_code=200 if ready else 503)


@router.get("/metrics", dependencies=[Depends(require_ops)])
async def metrics() -> Response:
    """Prometheus metrics of this process."""
    return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)
