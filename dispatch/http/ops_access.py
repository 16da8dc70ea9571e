"""Who may read the operations surface (issue 12, finding 12): ``/readyz``, ``/metrics`` and
the API's docs (``/api/v1/docs``, ``/api/v1/openapi.json``). ``/healthz`` stays public.

A request is let through when its client address (the peer, or the proxy's client when
uvicorn trusts the proxy: ``INFOFIRST_FORWARDED_ALLOW_IPS``) is inside one of the operations
networks (``INFOFIRST_OPS_NETWORKS``, loopback only by default), or when it carries the bearer
token of a signed-in admin. Anyone else gets the 404 problem of an unknown path: the surface
does not tell a stranger that it exists. A request that came through a proxy uvicorn does not
trust (it carries ``X-Forwarded-For``, ``Forwarded`` or ``X-Real-IP``) is never let in by
address: its peer is the proxy, not the client.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from dataclasses import dataclass
from typing import cast

from fastapi import Depends, FastAPI, Request
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse, JSONResponse
from starlette.exceptions import HTTPException

from units.deps import bearer, current_user, session_factory
from units.exceptions import NotAuthenticated
from units.vocabulary import Role

IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network

OPS_ROLES = frozenset({Role.admin})
PROXY_HEADERS = ("x-forwarded-for", "forwarded", "x-real-ip")


@dataclass(frozen=True)
class OpsAccess:
    """The operations networks, and whether uvicorn applies a trusted proxy's headers."""

    networks: tuple[IPNetwork, ...]
    proxies_trusted: bool = False

    @classmethod
    def of(cls, networks: Iterable[IPNetwork | str], proxies_trusted: bool) -> OpsAccess:
        return cls(
            tuple(ipaddress.ip_network(network, strict=False) for network in networks),
            proxies_trusted,
        )

    def admits(self, host: str | None, headers: Iterable[str] = ()) -> bool:
        """Whether a client at ``host`` (with these header names) is inside the networks."""
        if host is None:
            return False
        if not self.proxies_trusted and any(name.lower() in PROXY_HEADERS for name in headers):
            return False
        try:
            address = ipaddress.ip_address(host)
        except ValueError:
            return False
        if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
            address = address.ipv4_mapped
        return any(address in network for network in self.networks)


def ops_access(request: Request) -> OpsAccess:
    """The app's operations access rule."""
    return cast(OpsAccess, request.app.state.ops_access)


async def require_ops(request: Request) -> None:
    """Let an operations network's client or a signed-in admin through; 404 for anyone else.

    No transaction is opened for a client inside the networks (``/readyz`` must answer while
    the database is down); a bearer token is checked like on every other endpoint.
    """
    client = request.client
    if ops_access(request).admits(client.host if client else None, request.headers.keys()):
        return
    token = await bearer(request)
    if token:
        try:
            async with session_factory(request)() as db, db.begin():
                user = await current_user(request, db, token)
        except NotAuthenticated:
            user = None
        if user is not None and user.role in OPS_ROLES:
            return
    raise HTTPException(404)  # the same problem as an unknown path


def install_docs(app: FastAPI, prefix: str) -> None:
    """The API's OpenAPI document and Swagger UI under ``prefix``, behind ``require_ops``
    (the app is created with ``openapi_url=None`` and ``docs_url=None``)."""
    openapi_url = f"{prefix}/openapi.json"

    @app.get(openapi_url, include_in_schema=False, dependencies=[Depends(require_ops)])
    async def openapi_document(request: Request) -> JSONResponse:
        return JSONResponse(request.app.openapi())

    @app.get(f"{prefix}/docs", include_in_schema=False, dependencies=[Depends(require_ops)])
    async def swagger_ui(request: Request) -> HTMLResponse:
        return get_swagger_ui_html(openapi_url=openapi_url, title=f"{app.title} - API")
