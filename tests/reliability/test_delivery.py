"""Delivery across real server processes: fan-out, a killed process, one key sent 100 times."""

from __future__ import annotations

import asyncio
import contextlib
import json
import signal
import sys
import time

import httpx

from tests.reliability.conftest import Cluster
from tests.reliability.servers import (
    STOPPABLE_SCREEN,
    Screen,
    Sent,
    alert_body,
    bearer,
    contiguous,
    open_case,
    post_alert,
    post_many,
    rss_kib,
    sign_in,
    stream_head,
    ws_url,
)

SENDER = "township-th-nandun"
RECEIVER = "cathlab-county-hospital"
COUNTY = "county-hospital"
COUNTY_PATH = f"/ws/facilities/{COUNTY}/alerts"


async def test_a_screen_on_one_process_gets_an_alert_posted_to_another(
    cluster: Cluster, http: httpx.AsyncClient
) -> None:
    """A screen connected to server A receives, within 2 s, an alert POSTed to server B."""
    a, b = cluster.get("a", "b")
    sender = bearer(await sign_in(http, b, SENDER))
    receiver = await sign_in(http, a, RECEIVER)
    case_id = await open_case(http, b, sender)
    screen = Screen([a], COUNTY_PATH, receiver, since=await stream_head(http, a, receiver, COUNTY))
    screen.start()
    try:
        assert await screen.wait_for(lambda s: len(s.connects) >= 1, 5), screen.closes
        sent = await post_alert(http, b, sender, alert_body(case_id, 1))
        assert 201 == sent.status, sent.body
        arrived = await screen.wait_for(lambda s: sent.alert_id in s.arrived, 2)
        assert arrived, f"not received within 2 s: {screen.frames} {screen.closes}"
        frame = next(f for f in screen.frames if f["type"] == "alert.created")
        assert (sent.seq, sent.alert_id, f"facility:{COUNTY}") == (
            frame["seq"],
            frame["alert"]["id"],
            frame["stream"],
        )
        assert sent.body["epoch"] == frame["epoch"]
    finally:
        await screen.stop()


async def test_one_key_sent_100_times_at_once_makes_one_alert(
    cluster: Cluster, http: httpx.AsyncClient
) -> None:
    """100 concurrent POSTs with one Idempotency-Key: one alert, one alert.created frame."""
    a, b = cluster.get("a", "b")
    sender = bearer(await sign_in(http, a, SENDER))
    receiver = await sign_in(http, a, RECEIVER)
    case_id = await open_case(http, a, sender)
    head = await stream_head(http, a, receiver, COUNTY)
    body = alert_body(case_id, 100)
    key = f"reliability-one-key-{time.time_ns()}"
    results = await asyncio.gather(
        *(post_alert(http, (a, b)[n % 2], sender, body, key) for n in range(100))
    )
    assert {201} == {r.status for r in results}, {r.status: r.body for r in results}
    assert 1 == len({r.alert_id for r in results})
    assert 1 == len({r.seq for r in results})
    screen = Screen([b], COUNTY_PATH, receiver, since=head)
    screen.start()
    try:
        assert await screen.wait_for(lambda s: len(s.frames) >= 1, 5), screen.closes
        await screen.wait_for(lambda s: s.heartbeats >= 2, 3)  # anything more would have come
    finally:
        await screen.stop()
    assert [(results[0].alert_id, "alert.created")] == [
        (f["alert"]["id"], f["type"]) for f in screen.frames
    ]
    listed = await http.get(f"{a.url}/api/v1/alerts", params={"case_id": case_id}, headers=sender)
    assert [results[0].alert_id] == [x["id"] for x in listed.json()]


async def test_a_stopped_screen_does_not_delay_the_others(
    cluster: Cluster, http: httpx.AsyncClient
) -> None:
    """300 alerts past a SIGSTOP'd screen: the other gets each in 2 s; it is dropped, unbuffered."""
    a, b = cluster.get("a", "b")
    sender = bearer(await sign_in(http, b, SENDER))
    receiver = await sign_in(http, a, RECEIVER)
    case_ids = [await open_case(http, b, sender) for _ in range(3)]
    head = await stream_head(http, a, receiver, COUNTY)
    url = await ws_url(http, a, COUNTY_PATH, receiver, since=head)
    stopped = await asyncio.create_subprocess_exec(
        sys.executable, "-c", STOPPABLE_SCREEN, url, str(a.port), stdout=asyncio.subprocess.PIPE
    )
    assert stopped.stdout is not None
    screen = Screen([a], COUNTY_PATH, receiver, since=head)
    screen.start()
    try:
        line = await asyncio.wait_for(stopped.stdout.readline(), 15)
        assert {"event": "connected"} == json.loads(line)
        assert await screen.wait_for(lambda s: len(s.connects) >= 1, 5), screen.closes
        rss_before, log_before = rss_kib(a.pid), a.log_path.stat().st_size
        stopped.send_signal(signal.SIGSTOP)
        # ~16 KB frames: more than the stopped screen's socket buffers and queue can hold.
        bodies = [
            {**alert_body(case_ids[n % 3], n), "vitals": {"n": n, "ecg": "x" * 16000}}
            for n in range(300)
        ]
        sent = await post_many(http, b, sender, bodies, concurrency=4)
        assert [201] * 300 == [s.status for s in sent]
        posted = {s.alert_id for s in sent}
        done = await screen.wait_for(lambda s: posted <= set(s.arrived), 10)
        assert done, f"missing {len(posted - set(screen.arrived))}; {screen.closes}"
        late = [
            (s.alert_id, round(screen.arrived[s.alert_id] - s.returned_at, 3))
            for s in sent
            if screen.arrived[s.alert_id] - s.returned_at > 2
        ]
        assert [] == late
        assert 1 == len(screen.connects), screen.closes
        with a.log_path.open("rb") as log:  # its queue overflowed while it was stopped
            log.seek(log_before)
            assert b'"event": "screen_lagging"' in log.read()
        growth_mib = (rss_kib(a.pid) - rss_before) / 1024
        assert growth_mib < 32, f"server RSS grew by {growth_mib:.1f} MiB"

        stopped.send_signal(signal.SIGCONT)
        closed = json.loads(await asyncio.wait_for(stopped.stdout.readline(), 15))
        assert ("closed", 1013) == (closed["event"], closed["code"])
        assert closed["frames"] < 300  # the rest were dropped, not buffered: it replays them
        assert head + closed["frames"] == closed["last_seq"]  # what it got was in order
    finally:
        await screen.stop()
        if stopped.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                stopped.send_signal(signal.SIGCONT)
                stopped.kill()
            await stopped.wait()


async def test_a_screen_survives_the_kill_of_its_process(
    cluster: Cluster, http: httpx.AsyncClient
) -> None:
    """kill -9 of the screen's process while 30 alerts flow: it ends with each exactly once."""
    a, b = cluster.get("a", "b")
    sender = bearer(await sign_in(http, a, SENDER))
    receiver = await sign_in(http, a, RECEIVER)
    case_id = await open_case(http, a, sender)
    head = await stream_head(http, a, receiver, COUNTY)
    screen = Screen([b, a], COUNTY_PATH, receiver, since=head, failover=True)
    screen.start()
    sent: list[Sent] = []
    try:
        assert await screen.wait_for(lambda s: len(s.connects) >= 1, 5), screen.closes
        assert "b" == screen.connects[0][0]
        for number in range(30):
            if number == 10:
                await asyncio.to_thread(b.kill9)  # the others go on the surviving process
            sent.append(await post_alert(http, a, sender, alert_body(case_id, number)))
        posted = {s.alert_id for s in sent}
        assert [201] * 30 == [s.status for s in sent]
        done = await screen.wait_for(lambda s: posted <= set(s.arrived), 10)
        assert done, f"missing {posted - set(screen.arrived)}; {screen.connects} {screen.closes}"
    finally:
        await screen.stop()
    frames = screen.unique_by_seq()
    seqs = [int(f["seq"]) for f in frames]
    assert head + 1 == seqs[0]
    assert contiguous(seqs), seqs
    created = [int(f["alert"]["id"]) for f in frames if f["type"] == "alert.created"]
    assert sorted(posted) == sorted(created)
    assert "a" == screen.connects[-1][0]
    resumed_from = screen.connects[-1][1]
    assert head <= resumed_from < head + 30  # it asked for what it had not seen, not everything
