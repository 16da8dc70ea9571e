"""A bench client process playing a share of the screens (``python -m bench.screen_client``).

The alert delivery bench spreads its screens over several of these, so that what it measures
is the servers, not one client event loop reading a thousand sockets in turn. Protocol on
stdin/stdout, one line each:

- in: ``{"urls": [...]}``; out: ``ready`` once every screen is connected;
- in: ``wait SEQ``; out: a JSON list of the times (``time.perf_counter()``, CLOCK_MONOTONIC on
  Linux, so comparable across processes) at which each screen received frame SEQ, once all
  have it or 15 s passed;
- in: ``quit`` (or end of input): close the screens and exit.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import re
import sys
import time
from contextlib import AsyncExitStack
from typing import Any

import websockets

SEQ = re.compile(r'"seq":\s*(\d+)')
WAIT_LIMIT_S = 15.0


class Screens:
    """N websocket screens; each records when each seq arrived."""

    def __init__(self) -> None:
        self.arrivals: dict[int, list[float]] = {}
        self.complete: dict[int, asyncio.Event] = {}
        self.tasks: list[asyncio.Task[None]] = []
        self.count = 0

    async def open(self, stack: AsyncExitStack, urls: list[str]) -> None:
        for url in urls:
            # no pings from the screen: a browser's WebSocket sends none (the server's pings
            # are answered, as a browser answers them)
            ws = await stack.enter_async_context(
                websockets.connect(url, compression=None, max_queue=None, ping_interval=None)
            )
            self.tasks.append(asyncio.create_task(self._read(ws)))
        self.count += len(urls)

    async def _read(self, ws: Any) -> None:
        # The clock is read first and the seq found without parsing the whole frame: the
        # screens' own work is not what is measured (both sides use this same client).
        async for message in ws:
            arrived = time.perf_counter()
            found = SEQ.search(message)
            if found is not None and '"heartbeat"' not in message:
                seq = int(found.group(1))
                arrivals = self.arrivals.setdefault(seq, [])
                arrivals.append(arrived)
                if len(arrivals) == self.count:
                    self._complete(seq).set()

    def _complete(self, seq: int) -> asyncio.Event:
        return self.complete.setdefault(seq, asyncio.Event())

    async def wait(self, seq: int, limit: float = WAIT_LIMIT_S) -> list[float]:
        """The arrival times of ``seq``, once every screen has it (or ``limit`` s passed)."""
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._complete(seq).wait(), limit)
        self.complete.pop(seq, None)
        return self.arrivals.pop(seq, [])

    def close(self) -> None:
        for task in self.tasks:
            task.cancel()


async def serve() -> None:
    loop = asyncio.get_running_loop()
    reader = asyncio.StreamReader(limit=2**24)
    await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), sys.stdin)
    order = json.loads(await reader.readline())
    async with AsyncExitStack() as stack:
        screens = Screens()
        await screens.open(stack, order["urls"])
        print("ready", flush=True)
        while line := (await reader.readline()).decode().strip():
            if line == "quit":
                break
            _, seq = line.split()
            print(json.dumps(await screens.wait(int(seq))), flush=True)
        screens.close()


if __name__ == "__main__":
    asyncio.run(serve())
