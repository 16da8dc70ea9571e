"""Fan-out at ten thousand connections (issue 17's load test found both): a process reads the
new frames of all its rung streams in one statement, and checks the sessions of all its open
websockets in one statement, instead of one query per stream or per socket."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession, async_sessionmaker

from alerts.hub import Hub, Listener
from alerts.session_watch import SessionWatch
from tests.statements import statements_on
from units.models import User, UserSession

STREAMS = 40


async def test_forty_rung_streams_are_read_in_one_statement_each_in_order(
    connection: AsyncConnection, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    """40 subscribed streams, each with 3 new frames (one subscribed from seq 1 on): one SELECT
    reads them all and every screen's queue gets its own stream's frames after its cursor, in
    order; an unsubscribed stream rung with them is not read."""
    names = [f"t-batch-{n}" for n in range(STREAMS)]
    for name in [*names, "t-batch-nobody"]:
        for seq in (1, 2, 3):
            await connection.execute(
                text(
                    "INSERT INTO alert_stream (stream, seq, epoch, type, payload)"
                    " VALUES (:s, :q, 1, 'mission.assigned', CAST(:p AS jsonb))"
                ),
                {"s": name, "q": seq, "p": json.dumps({"n": seq})},
            )
    hub = Hub(queue_size=16)
    screens = {name: hub.subscribe(name, head=0) for name in names}
    screens[names[0]] = hub.subscribe(names[0], head=0)
    hub.last_seq[names[0]] = 1  # this process has already delivered seq 1 of the first stream
    listener = Listener("unused", sessionmaker, hub)
    reads = statements_on(connection, "alert_stream")

    await listener.fetch_many({*names, "t-batch-nobody"})

    assert 1 == len(reads)
    for name, screen in screens.items():
        got = []
        while not screen.queue.empty():
            got.append(screen.queue.get_nowait())
        want = [2, 3] if name == names[0] else [1, 2, 3]
        assert want == [each.seq for each in got], name
        assert all(json.loads(each.text)["stream"] == name for each in got)
    assert "t-batch-nobody" not in hub.last_seq


async def test_every_open_websocket_session_is_checked_in_one_statement(
    connection: AsyncConnection, db: AsyncSession, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    """30 sockets' sessions (open, signed out, expired, of a disabled account, unknown): one
    SELECT on sessions; the ended ones are told why, the open ones keep waiting."""
    now = datetime.now(UTC)
    admin = (await db.scalars(select(User).where(User.username == "admin"))).one()
    auditor = (await db.scalars(select(User).where(User.username == "auditor"))).one()
    kinds = {"open": admin, "logout": admin, "expired": admin, "disabled": auditor}
    ids: dict[str, list[str]] = {kind: [] for kind in [*kinds, "unknown"]}
    for kind, user in kinds.items():
        for n in range(6):
            jti = f"t-watch-{kind}-{n}"
            ids[kind].append(jti)
            db.add(
                UserSession(
                    jti=jti,
                    user_id=user.id,
                    issued_at=now - timedelta(hours=1),
                    expires_at=now - timedelta(seconds=1)
                    if kind == "expired"
                    else now + timedelta(hours=1),
                    started_at=now - timedelta(hours=1),
                    revoked_at=now if kind == "logout" else None,
                    revoked_reason="logout" if kind == "logout" else None,
                )
            )
    ids["unknown"] = [f"t-watch-unknown-{n}" for n in range(6)]
    auditor.active = False
    await db.flush()
    watch = SessionWatch(lambda: sessionmaker, every=3600)
    futures = {jti: watch.register(jti) for jtis in ids.values() for jti in jtis}
    checks = statements_on(connection, "sessions")

    assert 24 == await watch.check()

    assert 1 == len(checks)
    assert all(not futures[jti].done() for jti in ids["open"])
    reasons = {
        kind: {futures[jti].result() for jti in ids[kind]}
        for kind in ("logout", "expired", "disabled", "unknown")
    }
    assert {
        "logout": {"the session has ended (logout): sign in again"},
        "expired": {"the session has expired: sign in again"},
        "disabled": {"the account is disabled"},
        "unknown": {"the session is unknown: sign in again"},
    } == reasons
    for jti, future in futures.items():
        watch.release(jti, future)
    assert 0 == watch.watched()
