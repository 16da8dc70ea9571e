"""Websocket tickets for the benchmarks' screens: a bearer token never goes in a URL."""

from __future__ import annotations

import httpx


async def ws_tickets(client: httpx.AsyncClient, base_url: str, token: str, count: int) -> list[str]:
    """``count`` one-time websocket tickets for ``token`` from the server at ``base_url``."""
    tickets = []
    for _ in range(count):
        response = await client.post(
            f"{base_url}/api/v1/auth/ws-ticket", headers={"Authorization": f"Bearer {token}"}
        )
        response.raise_for_status()
        tickets.append(str(response.json()["ticket"]))
    return tickets
