"""The in-process fan-out (``Hub``): subscribers by stream, bounded queues, the cursor per stream.

The hub is synchronous: ``deliver`` puts without waiting, so these tests need no event loop.
"""

from __future__ import annotations

import json
from typing import Any

from alerts.hub import Hub, Outgoing, Subscriber, outgoing

COUNTY, TOWNSHIP = "facility:county-hospital", "facility:th-nandun"
EPOCH = 7001


def frame(seq: int, name: str = COUNTY) -> dict[str, Any]:
    """A frame as ``stream.frame`` makes it."""
    return {
        "seq": seq,
        "epoch": EPOCH,
        "type": "alert.created",
        "alert": {"id": seq},
        "stream": name,
    }


def queued(subscriber: Subscriber) -> list[int]:
    """The seqs waiting in a subscriber's queue (emptying it)."""
    seqs = []
    while not subscriber.queue.empty():
        seqs.append(subscriber.queue.get_nowait().seq)
    return seqs


def test_subscribe_adds_a_queue_on_the_stream() -> None:
    """A subscriber belongs to its stream, with an empty queue of the hub's size, not lagging."""
    hub = Hub(queue_size=3)
    subscriber = hub.subscribe(COUNTY, 0)
    assert (COUNTY, 3, 0, False) == (
        subscriber.stream,
        subscriber.queue.maxsize,
        subscriber.queue.qsize(),
        subscriber.lagging.is_set(),
    )
    assert {COUNTY: {subscriber}} == dict(hub.subscribers)


def test_streams_lists_the_streams_with_subscribers() -> None:
    """``streams()`` names each stream someone here follows, once."""
    hub = Hub()
    hub.subscribe(COUNTY, 0)
    hub.subscribe(COUNTY, 0)
    hub.subscribe(TOWNSHIP, 0)
    assert [COUNTY, TOWNSHIP] == sorted(hub.streams())


def test_unsubscribe_removes_the_subscriber_and_then_the_empty_stream() -> None:
    """The stream stays while one subscriber is left and goes with the last one."""
    hub = Hub()
    first, second = hub.subscribe(COUNTY, 0), hub.subscribe(COUNTY, 0)
    hub.unsubscribe(first)
    after_first = hub.streams()
    hub.unsubscribe(second)
    assert ([COUNTY], []) == (after_first, hub.streams())
    assert COUNTY not in hub.subscribers


def test_deliver_reaches_the_streams_subscribers_only() -> None:
    """Frames for one stream go to each of its subscribers and to no other stream's."""
    hub = Hub()
    county = [hub.subscribe(COUNTY, 0), hub.subscribe(COUNTY, 0)]
    township = hub.subscribe(TOWNSHIP, 0)
    hub.deliver(COUNTY, [frame(1), frame(2)])
    assert ([1, 2], [1, 2], []) == (queued(county[0]), queued(county[1]), queued(township))


def test_a_frame_is_serialised_once_for_every_subscriber() -> None:
    """All subscribers get the same ``Outgoing``: the frame's JSON, its seq and epoch."""
    hub = Hub()
    first, second = hub.subscribe(COUNTY, 0), hub.subscribe(COUNTY, 0)
    hub.deliver(COUNTY, [frame(1)])
    one, other = first.queue.get_nowait(), second.queue.get_nowait()
    assert one is other
    assert (1, EPOCH, frame(1)) == (one.seq, one.epoch, json.loads(one.text))


def test_outgoing_keeps_non_ascii_text_as_is() -> None:
    """A frame's Chinese text is sent as UTF-8, not escaped."""
    chinese = {**frame(3), "alert": {"summary": "胸痛"}}
    made = outgoing(chinese)
    assert Outgoing(3, json.dumps(chinese, ensure_ascii=False), EPOCH) == made
    assert "胸痛" in made.text


def test_a_full_queue_marks_that_subscriber_lagging_without_holding_up_the_others() -> None:
    """Queue of 2: the unread screen is marked lagging at frame 3; the reading one gets them all."""
    hub = Hub(queue_size=2)
    slow, fast = hub.subscribe(COUNTY, 0), hub.subscribe(COUNTY, 0)
    got = []
    for seq in range(1, 6):
        hub.deliver(COUNTY, [frame(seq)])  # returns at once: nothing waits for the slow screen
        got += queued(fast)
    assert ([1, 2, 3, 4, 5], True, [1, 2], 1) == (
        got,
        slow.lagging.is_set(),
        queued(slow),
        hub.dropped,
    )


def test_a_lagging_subscriber_is_given_nothing_more() -> None:
    """Once marked lagging, a subscriber's queue gets no frame, even with room again."""
    hub = Hub(queue_size=1)
    slow = hub.subscribe(COUNTY, 0)
    hub.deliver(COUNTY, [frame(1), frame(2)])
    assert [1] == queued(slow)
    hub.deliver(COUNTY, [frame(3)])
    assert ([], 1) == (queued(slow), hub.dropped)


def test_a_screen_reconnecting_after_lagging_gets_a_fresh_queue() -> None:
    """Unsubscribed and subscribed again, a lagging screen has a new, empty, unmarked queue."""
    hub = Hub(queue_size=1)
    slow = hub.subscribe(COUNTY, 0)
    hub.deliver(COUNTY, [frame(1), frame(2)])
    hub.unsubscribe(slow)
    again = hub.subscribe(COUNTY, 2)
    hub.deliver(COUNTY, [frame(3)])
    assert (False, [3]) == (again.lagging.is_set(), queued(again))


def test_the_first_subscriber_moves_the_cursor_to_its_head() -> None:
    """A stream nobody followed: frames up to the screen's head are its replay's, not the hub's."""
    hub = Hub()
    subscriber = hub.subscribe(COUNTY, 7)
    hub.deliver(COUNTY, [frame(seq) for seq in range(5, 10)])
    assert ([8, 9], 9) == (queued(subscriber), hub.last_seq[COUNTY])


def test_a_later_subscriber_leaves_the_cursor_for_the_screens_already_there() -> None:
    """A screen joining at head 10 when the hub is at 3: 4..10 still go to everyone."""
    hub = Hub()
    first = hub.subscribe(COUNTY, 3)
    later = hub.subscribe(COUNTY, 10)
    cursor = hub.last_seq[COUNTY]
    hub.deliver(COUNTY, [frame(seq) for seq in range(4, 11)])
    assert (3, list(range(4, 11)), list(range(4, 11))) == (cursor, queued(first), queued(later))


def test_frames_delivered_twice_are_queued_once() -> None:
    """A fetch that repeats frames already handed over queues only the new ones."""
    hub = Hub()
    subscriber = hub.subscribe(COUNTY, 0)
    hub.deliver(COUNTY, [frame(1), frame(2)])
    hub.deliver(COUNTY, [frame(2), frame(3)])
    assert [1, 2, 3] == queued(subscriber)


def test_deliver_to_a_stream_without_subscribers_only_moves_its_cursor() -> None:
    """Nobody to give the frames to: nothing is queued anywhere; the cursor records them."""
    hub = Hub()
    township = hub.subscribe(TOWNSHIP, 0)
    hub.deliver(COUNTY, [frame(1), frame(2)])
    assert ([], 2, [TOWNSHIP]) == (queued(township), hub.last_seq[COUNTY], hub.streams())
