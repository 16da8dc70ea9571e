"""Write-behind in batches, for rows a flood would otherwise write one transaction each.

``BatchedWriter.submit`` queues an item while ``run`` (a supervised loop of the server) drains
the queue, one ``write`` call per batch; without the loop running, or with the queue full, the
item is written at once (the caller waits, nothing is dropped). A batch that cannot be written
goes back to the queue, and ``flush`` writes what is left when the server stops.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable
from typing import Generic, TypeVar

T = TypeVar("T")


class BatchedWriter(Generic[T]):
    def __init__(
        self,
        write: Callable[[list[T]], Awaitable[None]],
        max_batch: int = 500,
        max_queue: int = 10_000,
    ) -> None:
        self._write = write
        self._queue: asyncio.Queue[T] = asyncio.Queue(max_queue)
        self._max_batch = max_batch
        self.draining = asyncio.Event()  # set while ``run`` drains the queue
        self.drained = asyncio.Event()  # set whenever ``run`` has written everything queued

    async def submit(self, item: T) -> None:
        """Queue ``item`` for the next batch, or write it at once when nothing drains."""
        if self.draining.is_set():
            try:
                self._queue.put_nowait(item)
                self.drained.clear()
                return
            except asyncio.QueueFull:
                pass  # written at once: the flood waits, nothing is lost
        await self._write([item])

    def _take(self, first: T) -> list[T]:
        batch = [first]
        while len(batch) < self._max_batch and not self._queue.empty():
            batch.append(self._queue.get_nowait())
        return batch

    async def run(self) -> None:
        """Write queued items in batches until cancelled."""
        self.draining.set()
        try:
            while True:
                batch = self._take(await self._queue.get())
                try:
                    await self._write(batch)
                    if self._queue.empty():
                        self.drained.set()
                except BaseException:
                    for item in batch:  # back for the next try (or flush)
                        with contextlib.suppress(asyncio.QueueFull):
                            self._queue.put_nowait(item)
                    raise
        finally:
            self.draining.clear()

    async def flush(self) -> None:
        """Write whatever is still queued (the server is stopping)."""
        while not self._queue.empty():
            await self._write(self._take(self._queue.get_nowait()))
