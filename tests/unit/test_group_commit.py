"""Group commit (units/group_commit.py): requests arriving while a batch is written share the
next; each gets its own outcome only after its batch's write returned; errors and cancellations
never leave the writer stuck."""

from __future__ import annotations

import asyncio

import pytest

from units.group_commit import GroupCommit

WAIT = 5.0  # seconds: a test that hangs fails instead


class Writer:
    """A write function whose batches are recorded; ``hold`` keeps the next write waiting."""

    def __init__(self) -> None:
        self.batches: list[list[int]] = []
        self.hold = asyncio.Event()
        self.hold.set()
        self.entered = asyncio.Event()
        self.fail_next: Exception | None = None  # raised by the next write only
        self.at_end: list[asyncio.Task[int]] = []  # cancelled as the next write ends

    async def write(self, items: list[int]) -> list[int | Exception]:
        self.batches.append(list(items))
        self.entered.set()
        await self.hold.wait()
        while self.at_end:
            self.at_end.pop().cancel()
        error, self.fail_next = self.fail_next, None
        if error is not None:
            raise error
        return [ValueError(f"bad {i}") if i < 0 else i * 10 for i in items]


async def _queued(group: GroupCommit[int, int], n: int) -> None:
    """Wait until ``n`` items are queued behind the batch being written."""
    async with asyncio.timeout(WAIT):
        while len(group._queued) < n:  # noqa: ASYNC110 - yields until the tasks queued (no timing)
            await asyncio.sleep(0)


async def _writing_one() -> tuple[Writer, GroupCommit[int, int], asyncio.Task[int]]:
    """A writer holding its first batch, item 1, mid-write; the group; item 1's request."""
    writer = Writer()
    group = GroupCommit(writer.write)
    writer.hold.clear()
    first = asyncio.create_task(group.submit(1))
    await asyncio.wait_for(writer.entered.wait(), WAIT)
    return writer, group, first


async def test_one_request_alone_is_written_alone() -> None:
    """With nobody else, a submit is one write of one item, and its result comes back."""
    writer = Writer()
    group = GroupCommit(writer.write)
    assert 70 == await asyncio.wait_for(group.submit(7), WAIT)
    assert [[7]] == writer.batches


async def test_requests_arriving_during_a_write_share_the_next() -> None:
    """Five submits made while the first batch is being written go together in the second,
    each answered with its own result, none before its batch was written."""
    writer, group, first = await _writing_one()
    rest = [asyncio.create_task(group.submit(n)) for n in range(2, 7)]
    await _queued(group, 5)
    assert not any(task.done() for task in [first, *rest])
    writer.hold.set()
    assert [10, 20, 30, 40, 50, 60] == await asyncio.wait_for(asyncio.gather(first, *rest), WAIT)
    assert [[1], [2, 3, 4, 5, 6]] == writer.batches


async def test_a_batch_is_at_most_max_batch_items() -> None:
    """Seven waiting with max_batch 3: batches of 3, 3 and 1, in arrival order."""
    writer = Writer()
    group = GroupCommit(writer.write, max_batch=3)
    writer.hold.clear()
    first = asyncio.create_task(group.submit(0))
    await asyncio.wait_for(writer.entered.wait(), WAIT)
    rest = [asyncio.create_task(group.submit(n)) for n in range(1, 8)]
    await _queued(group, 7)
    writer.hold.set()
    await asyncio.wait_for(asyncio.gather(first, *rest), WAIT)
    assert [[0], [1, 2, 3], [4, 5, 6], [7]] == writer.batches


async def test_an_item_s_own_error_goes_to_that_item_alone() -> None:
    """A per-item exception (e.g. an unknown ambulance) is raised to its request only."""
    writer, group, first = await _writing_one()
    bad, good = asyncio.create_task(group.submit(-1)), asyncio.create_task(group.submit(2))
    await _queued(group, 2)
    writer.hold.set()
    with pytest.raises(ValueError, match="bad -1"):
        await asyncio.wait_for(bad, WAIT)
    assert (10, 20) == (await first, await good)


async def test_a_failed_write_fails_its_whole_batch_and_the_next_batch_is_written() -> None:
    """The write raising (the database gone): every item of that batch gets the error; the
    items queued meanwhile are written next, by one of them."""
    writer = Writer()
    group = GroupCommit(writer.write)
    writer.hold.clear()
    writer.fail_next = ConnectionError("database gone")
    doomed = [asyncio.create_task(group.submit(n)) for n in (1, 2)]
    await asyncio.wait_for(writer.entered.wait(), WAIT)
    later = asyncio.create_task(group.submit(3))
    await _queued(group, 1)  # behind the batch [1, 2] being written
    writer.hold.set()
    for task in doomed:
        with pytest.raises(ConnectionError):
            await asyncio.wait_for(task, WAIT)
    assert 30 == await asyncio.wait_for(later, WAIT)
    assert [3] == writer.batches[-1]


async def test_a_cancelled_leader_fails_its_batch_and_hands_on_the_lead() -> None:
    """The request writing a batch is cancelled mid-write: the batch's others get
    BatchInterrupted (nothing told "written" that was not), the next batch is still written."""
    writer = Writer()
    group = GroupCommit(writer.write)
    writer.hold.clear()
    leader = asyncio.create_task(group.submit(1))
    await asyncio.wait_for(writer.entered.wait(), WAIT)
    waiting = asyncio.create_task(group.submit(2))
    await _queued(group, 1)
    leader.cancel()
    with pytest.raises(asyncio.CancelledError):
        await leader
    writer.hold.set()
    assert 20 == await asyncio.wait_for(waiting, WAIT)
    assert [[1], [2]] == writer.batches

    writer.hold.clear()
    writer.entered.clear()
    leader = asyncio.create_task(group.submit(3))
    await asyncio.wait_for(writer.entered.wait(), WAIT)
    leader.cancel()
    with pytest.raises(asyncio.CancelledError):
        await leader
    writer.hold.set()
    assert 40 == await asyncio.wait_for(group.submit(4), WAIT)


async def test_a_waiter_cancelled_before_its_batch_is_not_written() -> None:
    """A request cancelled while queued leaves the queue; the others are written without it."""
    writer, group, first = await _writing_one()
    gone, kept = asyncio.create_task(group.submit(2)), asyncio.create_task(group.submit(3))
    await _queued(group, 2)
    gone.cancel()
    with pytest.raises(asyncio.CancelledError):
        await gone
    writer.hold.set()
    assert (10, 30) == (await asyncio.wait_for(first, WAIT), await asyncio.wait_for(kept, WAIT))
    assert [[1], [3]] == writer.batches


async def test_the_head_of_the_queue_cancelled_as_it_is_handed_the_lead() -> None:
    """The oldest waiter is cancelled just as the batch before it ends (so it is handed the
    lead with its cancellation pending): the lead moves on to the next, which is written."""
    writer, group, first = await _writing_one()
    head, after = asyncio.create_task(group.submit(2)), asyncio.create_task(group.submit(3))
    await _queued(group, 2)
    writer.at_end.append(head)
    writer.hold.set()
    assert 10 == await asyncio.wait_for(first, WAIT)
    with pytest.raises(asyncio.CancelledError):
        await head
    assert 30 == await asyncio.wait_for(after, WAIT)
    assert [[1], [3]] == writer.batches
