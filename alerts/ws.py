"""WebSocket delivery: ``/ws/facilities/{id}/alerts?since=SEQ&ticket=TICKET[&epoch=EPOCH]`` (and
the dispatchers' ``/ws/dispatch/alerts``).

The one-time ticket (``POST /api/v1/auth/ws-ticket``; a bearer token in the URL is refused) and
the Origin are checked at the handshake, then the scope. The socket lives as long as the
ticket's session: at its expiry, or within ``ws_session_check_seconds`` of a sign-out, a
password change or a disabled account, it is closed with code 4401 (sign in again).

The screen first gets every frame after ``since`` from the database, then live frames in order
(never one twice), an application heartbeat every 10 s (configurable), and may confirm
``{"type": "delivered", "seq": N}``.
A screen that falls behind is disconnected (close code 1013) and replays when it reconnects.
Each task uses its own short database session; none is shared.

This module is the adapter: what to send, replay or close is decided by the sans-I/O core
``alerts.delivery.Delivery``; here the socket, the table and the hub's queue are read and written.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections import deque
from datetime import UTC, datetime
from typing import Any, cast

import structlog
from fastapi import APIRouter, WebSocket, WebSocketDisconnect
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from alerts import scope, service, stream
from alerts.delivery import (
    LAGGING,
    POLICY_VIOLATION,
    Decision,
    Delivery,
    Heartbeat,
    Outgoing,
    Replay,
    Send,
    delivered_seq,
)
from alerts.hub import Hub, Subscriber, outgoing
from alerts.session_watch import SessionWatch
from units import ws_tickets
from units.exceptions import Forbidden, NotAuthenticated
from units.models import User
from units.sessions import open_session_by_id

router = APIRouter()
log = structlog.get_logger(__name__)
HEARTBEAT = Outgoing(0, "")  # a marker in a screen's queue: send a heartbeat now
SESSION_ENDED = 4401  # the session ended (expired, signed out, revoked): sign in again


@router.websocket("/ws/facilities/{facility_id}/alerts")
async def facility_alerts(
    websocket: WebSocket, facility_id: str, since: int = 0, epoch: int = 0
) -> None:
    """A facility's alert stream."""
    await serve_stream(websocket, stream.facility_stream(facility_id), since, epoch)


@router.websocket("/ws/ambulances/{ambulance_id}/missions")
async def ambulance_missions(
    websocket: WebSocket, ambulance_id: str, since: int = 0, epoch: int = 0
) -> None:
    """An ambulance crew's mission stream (its own crew; dispatchers, auditors, admins)."""
    await serve_stream(websocket, stream.ambulance_stream(ambulance_id), since, epoch)


@router.websocket("/ws/ecgs")
async def ecg_readings(websocket: WebSocket, since: int = 0, epoch: int = 0) -> None:
    """The county ECG centre's stream: tracings arriving for reading, readings recorded."""
    await serve_stream(websocket, stream.ECG_STREAM, since, epoch)


@router.websocket("/ws/dispatch/alerts")
async def dispatch_alerts(websocket: WebSocket, since: int = 0, epoch: int = 0) -> None:
    """The dispatchers' stream: every alert and every escalation."""
    await serve_stream(websocket, stream.DISPATCH_STREAM, since, epoch)


def _origin_allowed(websocket: WebSocket, allowed: list[str]) -> bool:
    origin = websocket.headers.get("origin")
    if origin is None:
        return True  # not a browser: the token decides
    host = websocket.headers.get("host", "")
    return origin in allowed or origin in (f"http://{host}", f"https://{host}")


async def _user(
    sessions: async_sessionmaker[AsyncSession], websocket: WebSocket
) -> tuple[User, str, datetime]:
    """The user, session id and session expiry of the connection's one-time ticket."""
    if "token" in websocket.query_params:
        raise NotAuthenticated(
            "a bearer token in the URL is refused: POST /api/v1/auth/ws-ticket, then ?ticket="
        )
    now = datetime.now(UTC)
    async with sessions() as db, db.begin():
        session_id = await ws_tickets.redeem(db, websocket.query_params.get("ticket", ""), now)
        session, user = await open_session_by_id(db, session_id, now)
    return user, session_id, session.expires_at


async def _watch_session(
    websocket: WebSocket, watch: SessionWatch, session_id: str, expires_at: datetime
) -> None:
    """Close the socket (4401) when its session ends: at its expiry, or at the process's first
    check (``SessionWatch``) after a sign-out, a password change or a disabled account."""
    ended = watch.register(session_id)
    try:
        left = (expires_at - datetime.now(UTC)).total_seconds() + 0.01
        try:
            reason = await asyncio.wait_for(asyncio.shield(ended), max(0.0, left))
        except TimeoutError:
            reason = "the session has expired: sign in again"
        with contextlib.suppress(Exception):
            await asyncio.wait_for(websocket.close(SESSION_ENDED, reason[:120]), 2)
    finally:
        watch.release(session_id, ended)


async def serve_stream(websocket: WebSocket, name: str, since: int, client_epoch: int = 0) -> None:
    state = websocket.app.state
    sessions = cast(async_sessionmaker[AsyncSession], state.sessionmaker)
    hub = cast(Hub, state.alerts_hub)
    settings = state.settings
    if not _origin_allowed(websocket, list(settings.allowed_origins)):
        await websocket.close(POLICY_VIOLATION, "origin not allowed")
        return
    try:
        user, session_id, expires_at = await _user(sessions, websocket)
        scope.require_stream_reader(user, name)
    except (NotAuthenticated, Forbidden) as exc:
        await websocket.close(POLICY_VIOLATION, str(exc)[:120])
        return
    await websocket.accept()
    async with sessions() as db:
        epoch, head = await stream.head(db, name)
    subscriber = hub.subscribe(name, head)
    screen = Delivery(since, epoch, client_epoch)
    # The screen's two halves: whichever ends first (the screen left, the server is shutting
    # down, or the screen fell behind) ends the other at once.
    halves = {
        asyncio.create_task(_receive(websocket, sessions, user, name)),
        asyncio.create_task(
            _send(websocket, sessions, subscriber, name, screen, settings.heartbeat_seconds)
        ),
        asyncio.create_task(_watch_session(websocket, state.session_watch, session_id, expires_at)),
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
    screen: Delivery,
    heartbeat: float,
) -> None:
    """Do what the screen's delivery core decides: read the table, send, or close."""
    beat = asyncio.create_task(_beat(subscriber, heartbeat))
    try:
        pending = deque(screen.start())
        while True:
            if not pending:
                pending.extend(await _next_event(subscriber, screen))
                continue
            decision = pending.popleft()
            if isinstance(decision, Replay):  # a page from the table, after the last seq sent
                async with sessions() as db:
                    events = await stream.frames_after(db, name, decision.after)
                pending.extend(screen.replayed([outgoing(stream.frame(e)) for e in events]))
            elif isinstance(decision, Send):
                await websocket.send_text(decision.frame.text)
            elif isinstance(decision, Heartbeat):
                await websocket.send_json(
                    {"type": "heartbeat", "seq": decision.seq, "epoch": decision.epoch}
                )
            else:
                log.warning(
                    "screen_disconnected_lagging" if decision is LAGGING else "screen_disconnected",
                    stream=name,
                    last_seq=screen.sent,
                    code=decision.code,
                    reason=decision.reason,
                )
                with contextlib.suppress(Exception):
                    await asyncio.wait_for(websocket.close(decision.code, decision.reason), 2)
                return
    finally:
        beat.cancel()


async def _next_event(subscriber: Subscriber, screen: Delivery) -> list[Decision]:
    """Wait for the screen's next event (lagging, a heartbeat, a live frame) and feed it."""
    if subscriber.lagging.is_set():
        return screen.lagged()
    item = await subscriber.queue.get()
    return screen.tick() if item is HEARTBEAT else screen.live(item)


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
        seq = delivered_seq(message)
        if seq is None:
            continue  # not a delivery confirmation: ignored
        try:
            async with sessions() as db, db.begin():
                await service.confirm_delivery(db, user, name, seq, datetime.now(UTC))
        except (SQLAlchemyError, OSError) as exc:  # the screen keeps its frames
            log.warning("delivery_not_recorded", stream=name, seq=seq, error=str(exc))
