"""Pure ASGI middleware: body size limit, request metrics and a request id in the logs."""

from __future__ import annotations

import json
import re
import time
import uuid

import structlog
from prometheus_client import Counter, Histogram
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

REQUESTS = Counter(
    "infofirst_http_requests_total",
    "HTTP requests by route and status",
    ["method", "route", "status"],
)
LATENCY = Histogram(
    "infofirst_http_request_seconds", "HTTP request duration by route", ["method", "route"]
)


class BodyTooLarge(HTTPException):
    """Raised inside the receive wrapper when a body passes the limit.

    An HTTPException so that FastAPI's body parsing passes it on (it turns any other error
    while reading the body into a 400) and the app's handler answers with the 413 problem.
    """

    def __init__(self, limit: int) -> None:
        super().__init__(413, f"the request body is larger than {limit} bytes")


def _problem_413(limit: int) -> bytes:
    return json.dumps(
        {
            "type": "/problems/body-too-large",
            "title": "Body too large",
            "status": 413,
            "detail": f"the request body is larger than {limit} bytes",
        }
    ).encode()


class BodyLimit:
    """Refuse request bodies over ``limit`` bytes with a 413 problem, before any handler runs."""

    def __init__(self, app: ASGIApp, limit: int, large_paths: dict[str, int] | None = None) -> None:
        self.app = app
        self.limit = limit
        self.large_paths = large_paths or {}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.large_paths.get(scope["path"], self.limit)
        declared = dict(scope["headers"]).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > limit:
            await self._refuse(send, limit)
            return
        received = 0
        started = False

        async def counting_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise BodyTooLarge(limit)
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, counting_receive, tracking_send)
        except BodyTooLarge:
            if not started:
                await self._refuse(send, limit)

    @staticmethod
    async def _refuse(send: Send, limit: int) -> None:
        body = _problem_413(limit)
        await send(
            {
                "type": "http.response.start",
                "status": 413,
                "headers": [
                    (b"content-type", b"application/problem+json"),
                    (b"content-length", str(len(body)).encode()),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})


# A client's X-Request-Id is kept only when it is 1..128 printable ASCII characters from this
# set (a UUID, a hex or base64 id, a trace id); anything else (not UTF-8, control characters,
# NUL, too long) is replaced by a fresh id, which the response's X-Request-Id then tells.
_REQUEST_ID = re.compile(rb"[A-Za-z0-9._:+/=-]{1,128}")


def request_id_of(header: bytes | None) -> str:
    """The client's request id if it is well formed, else a fresh one."""
    if header is not None and _REQUEST_ID.fullmatch(header):
        return header.decode("ascii")
    return uuid.uuid4().hex


class RequestContext:
    """Bind a request id to the logs and record Prometheus metrics per route template."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.log = structlog.get_logger("infofirst.http")

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = request_id_of(dict(scope["headers"]).get(b"x-request-id"))
        structlog.contextvars.clear_contextvars()
        structlog.contextvars.bind_contextvars(request_id=request_id)
        status = 500
        start = time.perf_counter()

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
                message.setdefault("headers", []).append((b"x-request-id", request_id.encode()))
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            route = scope.get("route")
            template = getattr(route, "path", "unmatched")
            elapsed = time.perf_counter() - start
            REQUESTS.labels(scope["method"], template, str(status)).inc()
            LATENCY.labels(scope["method"], template).observe(elapsed)
            self.log.info(
                "request",
                method=scope["method"],
                path=scope["path"],
                status=status,
                ms=round(elapsed * 1000, 1),
            )
