"""Group commit: the requests that arrive while one transaction is being written share the next.

The GPS track (issue 17): 5,000 ambulances at a fix every 10 s are 500 requests a second, and
one transaction per fix pays a BEGIN, a row lock, an INSERT and a COMMIT with its WAL flush
(and, with synchronous replication, the standby's answer) for every fix. ``GroupCommit.submit``
queues an item and waits for its outcome; the first item of an idle writer leads: it writes
everything queued (up to ``max_batch``) in one ``write`` call, and then hands the lead to the
oldest item still queued, whose request writes the next batch. So a request is answered only
after the transaction holding its item has committed (durable before it is acknowledged), no
background task is needed (the same in a test's app as in a server), a batch is as large as
the load makes it, and with one request at a time it is the plain one-transaction path.

``write`` returns one outcome per item, a result or an exception for that item alone (e.g. an
unknown ambulance); if ``write`` itself raises, every item of the batch gets that error
(``BatchInterrupted`` if the leader's request was cancelled) and nothing of it was written.
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Awaitable, Callable, Sequence
from typing import Any, Generic, TypeVar

T = TypeVar("T")
R = TypeVar("R")


class BatchInterrupted(RuntimeError):
    """The request writing this item's batch was cancelled before its transaction committed."""


class _Ticket(Generic[T, R]):
    """One queued item: told when to lead, and its outcome."""

    def __init__(self, item: T) -> None:
        loop = asyncio.get_running_loop()
        self.item = item
        self.lead: asyncio.Future[None] = loop.create_future()
        self.outcome: asyncio.Future[R] = loop.create_future()


class GroupCommit(Generic[T, R]):
    def __init__(
        self,
        write: Callable[[list[T]], Awaitable[Sequence[R | Exception]]],
        max_batch: int = 256,
    ) -> None:
        self._write = write
        self._max_batch = max_batch
        self._queued: deque[_Ticket[T, R]] = deque()
        self._writing = False

    async def submit(self, item: T) -> R:
        """``item``'s outcome once the transaction that wrote it has committed."""
        ticket: _Ticket[T, R] = _Ticket(item)
        self._queued.append(ticket)
        if not self._writing:
            self._writing = True
            ticket.lead.set_result(None)
        try:
            either: set[asyncio.Future[Any]] = {ticket.lead, ticket.outcome}
            await asyncio.wait(either, return_when=asyncio.FIRST_COMPLETED)
        except asyncio.CancelledError:
            if ticket in self._queued:  # not written: out of the queue
                self._queued.remove(ticket)
                if ticket.lead.done():  # it was to lead: the next one does
                    self._hand_on()
            raise
        if not ticket.outcome.done():
            await self._lead()
        return ticket.outcome.result()

    async def _lead(self) -> None:
        batch = [self._queued.popleft() for _ in range(min(len(self._queued), self._max_batch))]
        try:
            outcomes = await self._write([ticket.item for ticket in batch])
        except asyncio.CancelledError:
            self._fail(batch, BatchInterrupted("the batch's writer was cancelled"))
            raise
        except Exception as exc:  # noqa: BLE001 - not carried on: each item's request raises it
            self._fail(batch, exc)
        else:
            for ticket, outcome in zip(batch, outcomes, strict=True):
                if isinstance(outcome, Exception):
                    ticket.outcome.set_exception(outcome)
                else:
                    ticket.outcome.set_result(outcome)
        finally:
            self._hand_on()

    @staticmethod
    def _fail(batch: list[_Ticket[T, R]], error: Exception) -> None:
        for ticket in batch:
            if not ticket.outcome.done():
                ticket.outcome.set_exception(error)

    def _hand_on(self) -> None:
        """The lead to the oldest queued item, or the writer idle."""
        if self._queued:
            head = self._queued[0]
            if not head.lead.done():
                head.lead.set_result(None)
        else:
            self._writing = False
