"""Security headers on every HTTP response (issue 12, finding 12), where the handler set none.

``X-Content-Type-Options: nosniff``, ``Referrer-Policy: no-referrer`` and
``X-Frame-Options: DENY`` on every response; ``Strict-Transport-Security`` when the request came
over https (directly, or through a proxy uvicorn trusts for ``X-Forwarded-Proto``). A header the
handler set itself (the pages' Content-Security-Policy, an attachment's own headers) is kept.
"""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

HSTS = b"max-age=31536000; includeSubDomains"
ALWAYS: tuple[tuple[bytes, bytes], ...] = (
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"x-frame-options", b"DENY"),
)


def missing_headers(present: set[bytes], https: bool) -> list[tuple[bytes, bytes]]:
    """The security headers to add to a response whose header names (lowercase) are given."""
    wanted = ALWAYS + (((b"strict-transport-security", HSTS),) if https else ())
    return [(name, value) for name, value in wanted if name not in present]


class SecurityHeaders:
    """Pure ASGI middleware adding the missing security headers to each response's start."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        https = scope.get("scheme") == "https"

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                present = {bytes(name).lower() for name, _ in headers}
                message["headers"] = headers + missing_headers(present, https)
            await send(message)

        await self.app(scope, receive, send_with_headers)
