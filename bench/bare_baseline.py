"""The field load's baseline: a bare ``websockets`` broadcast server with as many screens as
the county's walls, its screens open for the whole run.

Timed twice in the same run: before the load starts (the machine otherwise quiet: what a
broadcast to that many sockets costs in Python at best) and again halfway through the load
(the same saturated cores our servers have: what is left of the ratio is ours).
"""

from __future__ import annotations

import asyncio
import json
import time

import websockets

from bench.alert_delivery import ScreenPool

FRAME = {"type": "alert.created", "epoch": 1, "alert": {"summary": "x" * 400}}


class BareScreens:
    """``walls`` screens on the bare server at ``port``; ``round`` broadcasts and times."""

    def __init__(self, port: int, walls: int) -> None:
        self.port = port
        self.walls = walls
        self.screens = ScreenPool()
        self.sent = 0

    async def open(self) -> None:
        await self.screens.open([f"ws://127.0.0.1:{self.port}/screen"] * self.walls)

    async def round(self, alerts: int) -> list[float]:
        """ms from the sender's 'ok' to the frame on each screen, for ``alerts`` broadcasts
        one after the other."""
        after: list[float] = []
        async with websockets.connect(
            f"ws://127.0.0.1:{self.port}/send", compression=None
        ) as control:
            for _ in range(alerts):
                self.sent += 1
                await control.send(json.dumps({**FRAME, "seq": self.sent}))
                await control.recv()
                returned = time.perf_counter()
                arrived = await self.screens.wait(self.sent)
                after += [max(0.0, t - returned) * 1000 for t in arrived]
        return after

    async def round_after(self, seconds: float, alerts: int) -> list[float]:
        """``round`` once ``seconds`` have passed (halfway through the load)."""
        await asyncio.sleep(seconds)  # a point in the load's schedule, not a wait for an event
        return await self.round(alerts)

    async def close(self) -> None:
        await self.screens.close()
