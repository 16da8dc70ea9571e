"""WebSocket delivery: ``/ws/facilities/{id}/alerts?since=SEQ&token=TOKEN`` (and the
dispatchers' ``/ws/dispatch/alerts``).

The token and the Origin are checked at the handshake, then the scope. The screen first gets
every frame after ``since`` from the database, then live frames in order (never one twice),
an application heartbeat every 10 s (configurable), and may confirm
``{"type": "delivered", "seq": N}``.
A screen that falls behind is disconnected (close code 1013) and replays when it reconnects.
Each task uses its own short database session; none is shared.
"""

from __future__ import annotations

import asyncio
import contextlib
from datetime import UTC, datetime
from typing import Any, cast

import structlog
from fastapi import APIRouter, WebSocket, WebSocketDisconnect
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from alerts import scope, service, stream
from alerts.hub import Hub, Outgoing, Subscriber
from units.exceptions import Forbidden, NotAuthenticated
from units.models import User
from units.security import TokenConfig, read_token

router = APIRouter()
log = structlog.get_logger(__name__)
POLICY_VIOLATION, TRY_AGAIN_LATER = 1008, 1013
HEARTBEAT = Outgoing(0, "")  # a marker in a screen's queue: send a heartbeat now


@router.websocket("/ws/facilities/{facility_id}/alerts")
async def facility_alerts(websocket: WebSocket, facility_id: str, since: int = 0) -> None:
    """A facility's alert stream."""
    await serve_stream(websocket, stream.facility_stream(facility_id), since)


@router.websocket("/ws/dispatch/alerts")
async def dispatch_alerts(websocket: WebSocket, since: int = 0) -> None:
    """The dispatchers' stream: every alert and every escalation."""
    await serve_stream(websocket, stream.DISPATCH_STREAM, since)


def _origin_allowed(websocket: WebSocket, allowed: list[str]) -> bool:
    origin = websocket.headers.get("origin")
    if origin is None:
        return True  # not a browser: the token decides
    host = websocket.headers.get("host", "")
    return origin in allowed or origin in (f"http://{host}", f"https://{host}")


async def _user(
    sessions: async_sessionmaker[AsyncSession], config: TokenConfig, token: str
) -> User:
    claims = read_token(config, token, datetime.now(UTC))
    async with sessions() as db:
        user = await db.get(User, claims.user_id)
    if user is None or not user.active or user.username != claims.username:
        raise NotAuthenticated("the token's user no longer exists or is disabled")
    return user


async def serve_stream(websocket: WebSocket, name: str, since: int) -> None:
    state = websocket.app.state
    sessions = cast(async_sessionmaker[AsyncSession], state.sessionmaker)
    hub = cast(Hub, state.alerts_hub)
    settings = state.settings
    if not _origin_allowed(websocket, list(settings.allowed_origins)):
        await websocket.close(POLICY_VIOLATION, "origin not allowed")
        return
    try:
        user = await _user(sessions, state.token_config, websocket.query_params.get("token", ""))
        scope.require_stream_reader(user, name)
    except (NotAuthenticated, Forbidden) as exc:
        await websocket.close(POLICY_VIOLATION, str(exc)[:120])
        return
    await websocket.accept()
    async with sessions() as db:
        epoch, head = await stream.head(db, name)
    subscriber = hub.subscribe(name, head)
    # The screen's two halves: whichever ends first (the screen left, the server is shutting
    # down, or the screen fell behind) ends the other at once.
    halves = {
        asyncio.create_task(_receive(websocket, sessions, user, name)),
        asyncio.create_task(
            _send(websocket, sessions, subscriber, name, since, epoch, settings.heartbeat_seconds)
        ),
    }
    try:
        await asyncio.wait(halves, return_when=asyncio.FIRST_COMPLETED)
    finally:
        hub.unsubscribe(subscriber)
        for half in halves:
            half.cancel()
        for half in halves:
            with contextlib.suppress(
                asyncio.CancelledError, WebSocketDisconnect, RuntimeError, OSError
            ):
                await half


async def _send(
    websocket: WebSocket,
    sessions: async_sessionmaker[AsyncSession],
    subscriber: Subscriber,
    name: str,
    since: int,
    epoch: int,
    heartbeat: float,
) -> None:
    sent = since
    while True:  # replay from the table, page by page, up to what is there now
        async with sessions() as db:
            events = await stream.frames_after(db, name, sent)
        if not events:
            break
        for event in events:
            await websocket.send_json(stream.frame(event))
            sent = event.seq
    beat = asyncio.create_task(_beat(subscriber, heartbeat))
    try:
        while True:
            if subscriber.lagging.is_set():
                log.warning("screen_disconnected_lagging", stream=name, last_seq=sent)
                with contextlib.suppress(Exception):
                    closing = websocket.close(TRY_AGAIN_LATER, "fell behind: replay")
                    await asyncio.wait_for(closing, 2)
                return
            outgoing = await subscriber.queue.get()
            if outgoing is HEARTBEAT:
                await websocket.send_json({"type": "heartbeat", "seq": sent, "epoch": epoch})
            elif outgoing.seq > sent:  # else already replayed
                await websocket.send_text(outgoing.text)
                sent = outgoing.seq
    finally:
        beat.cancel()


async def _beat(subscriber: Subscriber, heartbeat: float) -> None:
    """Queue a heartbeat every ``heartbeat`` s (the frame path itself never runs a timer)."""
    while True:
        await asyncio.sleep(heartbeat)
        with contextlib.suppress(asyncio.QueueFull):  # a full queue: the screen is lagging
            subscriber.queue.put_nowait(HEARTBEAT)


async def _receive(
    websocket: WebSocket, sessions: async_sessionmaker[AsyncSession], user: User, name: str
) -> None:
    while True:
        try:
            message: Any = await websocket.receive_json()
        except ValueError:
            continue  # not JSON: ignored
        if isinstance(message, dict) and message.get("type") == "delivered":
            seq = message.get("seq")
            if isinstance(seq, int) and seq > 0:
                try:
                    async with sessions() as db, db.begin():
                        await service.confirm_delivery(db, user, name, seq, datetime.now(UTC))
                except (SQLAlchemyError, OSError) as exc:  # the screen keeps its frames
                    log.warning("delivery_not_recorded", stream=name, seq=seq, error=str(exc))
