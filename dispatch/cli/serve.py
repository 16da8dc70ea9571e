"""infofirst serve: the API and the four pages."""

from __future__ import annotations

from typing import Annotated

import typer
import uvicorn

from dispatch.http import logs
from dispatch.settings import get_settings


def serve(
    host: Annotated[str, typer.Option(help="Address to bind.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to bind.")] = 8000,
    workers: Annotated[int, typer.Option(help="Server processes.")] = 1,
) -> None:
    """Serve the API and the four pages."""
    settings = get_settings()
    logs.configure(settings.log_level, settings.log_json)  # uvicorn's lines through structlog
    uvicorn.run(
        "dispatch.app:create_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        ws_per_message_deflate=False,
        access_log=False,
        proxy_headers=settings.forwarded_allow_ips is not None,
        forwarded_allow_ips=settings.forwarded_allow_ips,
        log_config=None,  # not uvicorn's own handlers: one format (dispatch/http/logs.py)
        timeout_graceful_shutdown=max(1, round(settings.shutdown_grace_seconds)),
    )
