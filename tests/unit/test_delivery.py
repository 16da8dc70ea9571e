"""The sans-I/O delivery core: one screen's state machine, confirmations, the listener's cursor."""

from __future__ import annotations

from dataclasses import dataclass, field

from hypothesis import given, settings
from hypothesis import strategies as st

from alerts.delivery import (
    LAGGING,
    REBUILT,
    Close,
    Decision,
    Delivery,
    Heartbeat,
    Outgoing,
    Replay,
    Send,
    State,
    cursor_on_join,
    delivered_seq,
    fresh,
)

EPOCH = 7001


def frame(seq: int, epoch: int = EPOCH) -> Outgoing:
    """Frame ``seq`` of the stream as the hub or the table hands it over."""
    return Outgoing(seq, f'{{"seq": {seq}}}', epoch)


def frames(*seqs: int, epoch: int = EPOCH) -> list[Outgoing]:
    return [frame(seq, epoch) for seq in seqs]


def sends(*seqs: int, epoch: int = EPOCH) -> list[Decision]:
    return [Send(frame(seq, epoch)) for seq in seqs]


def live_screen(since: int, epoch: int = EPOCH) -> Delivery:
    """A screen that replayed ``since`` and caught up (the table had nothing later)."""
    screen = Delivery(since, epoch)
    screen.start()
    screen.replayed([])
    return screen


# The hello and the replay


def test_the_first_decision_is_a_replay_after_since() -> None:
    """A new screen first asks the table for the frames after its ``since``."""
    assert [Replay(12)] == Delivery(12, EPOCH).start()


def test_a_negative_since_replays_from_the_start() -> None:
    """``since`` below 0 counts as 0: the whole stream."""
    assert [Replay(0)] == Delivery(-5, EPOCH).start()


def test_a_replay_page_is_sent_in_order_and_the_next_page_asked_for() -> None:
    """Each page's frames are sent in seq order, then the page after the last one is asked for."""
    screen = Delivery(3, EPOCH)
    screen.start()
    assert [*sends(4, 5, 6), Replay(6)] == screen.replayed(frames(4, 5, 6))
    assert (State.REPLAYING, 6) == (screen.state, screen.sent)


def test_since_replays_only_later_frames() -> None:
    """Frames up to ``since`` are never sent, even if a page holds them."""
    screen = Delivery(5, EPOCH)
    screen.start()
    assert [*sends(6, 7), Replay(7)] == screen.replayed(frames(4, 5, 6, 7))


def test_an_empty_page_means_caught_up_and_live() -> None:
    """An empty page ends the replay: nothing to send, the screen is live."""
    screen = Delivery(9, EPOCH)
    screen.start()
    assert [] == screen.replayed([])
    assert State.LIVE == screen.state


def test_a_page_arriving_when_live_is_ignored() -> None:
    """A page nobody asked for (the screen is live) sends nothing."""
    screen = live_screen(2)
    assert [] == screen.replayed(frames(3, 4))
    assert 2 == screen.sent


# Live frames


def test_the_next_live_frame_is_sent() -> None:
    """A live frame right after the last seq sent is sent at once."""
    screen = live_screen(4)
    assert sends(5) == screen.live(frame(5))
    assert 5 == screen.sent


def test_a_live_frame_already_replayed_is_not_sent_twice() -> None:
    """Replay and live delivery overlap: frames already sent are ignored, the next one sent."""
    screen = Delivery(0, EPOCH)
    screen.start()
    screen.replayed(frames(1, 2, 3))
    screen.replayed([])
    assert [[], [], [], sends(4)] == [screen.live(frame(seq)) for seq in (1, 2, 3, 4)]


def test_a_live_frame_repeated_is_sent_once() -> None:
    """The same live frame pushed twice is sent once."""
    screen = live_screen(0)
    assert [sends(1), []] == [screen.live(frame(1)), screen.live(frame(1))]


def test_a_gap_before_a_live_frame_means_replay_the_missing_ones_first() -> None:
    """Last sent 5, live 8: nothing is sent; the table is read after 5 (it has 6, 7 and 8)."""
    screen = live_screen(5)
    assert [Replay(5)] == screen.live(frame(8))
    assert (State.REPLAYING, 5) == (screen.state, screen.sent)
    assert [*sends(6, 7, 8), Replay(8)] == screen.replayed(frames(6, 7, 8))
    assert [] == screen.replayed([])
    assert [[], sends(9)] == [screen.live(frame(8)), screen.live(frame(9))]


def test_a_gap_during_a_replay_asks_for_nothing_more() -> None:
    """While a replay is under way, a live frame after a gap is left to the replay."""
    screen = Delivery(0, EPOCH)
    screen.start()
    assert [] == screen.live(frame(3))
    assert [*sends(1, 2, 3), Replay(3)] == screen.replayed(frames(1, 2, 3))


def test_the_next_live_frame_during_a_replay_is_sent_and_not_replayed_again() -> None:
    """While replaying, the next frame pushed live is sent; the page repeating it skips it."""
    screen = Delivery(0, EPOCH)
    screen.start()
    assert sends(1) == screen.live(frame(1))
    assert [*sends(2), Replay(2)] == screen.replayed(frames(1, 2))


# Lagging, heartbeats, closing


def test_a_lagging_screen_is_closed_with_1013() -> None:
    """The hub reports the screen's queue overflowed: close 1013, "fell behind: replay"."""
    screen = live_screen(3)
    assert [Close(1013, "fell behind: replay")] == screen.lagged()
    assert State.CLOSED == screen.state


def test_a_closed_screen_decides_nothing_more() -> None:
    """After a close: no frame, page, heartbeat or second close."""
    screen = live_screen(3)
    screen.lagged()
    assert [[], [], [], [], [], []] == [
        screen.start(),
        screen.live(frame(4)),
        screen.replayed(frames(4)),
        screen.tick(),
        screen.lagged(),
        screen.epoch_changed(EPOCH + 1),
    ]


def test_a_lagging_screen_while_replaying_is_closed_too() -> None:
    """A screen still replaying whose queue overflowed is closed the same way."""
    screen = Delivery(0, EPOCH)
    screen.start()
    assert [LAGGING] == screen.lagged()


def test_a_heartbeat_carries_the_last_seq_sent_and_the_epoch() -> None:
    """Each tick is a heartbeat with the last seq sent (``since`` before any) and the epoch."""
    screen = live_screen(4)
    before = screen.tick()
    screen.live(frame(5))
    assert [[Heartbeat(4, EPOCH)], [Heartbeat(5, EPOCH)]] == [before, screen.tick()]


# Epochs


def test_a_client_of_another_epoch_starts_over() -> None:
    """A client whose epoch is not the stream's is replayed the stream from its first frame."""
    assert [Replay(0)] == Delivery(40, EPOCH, client_epoch=EPOCH - 1).start()


def test_a_client_of_the_same_or_an_unknown_epoch_replays_after_since() -> None:
    """The client's epoch equal to the stream's, or unknown (0), keeps ``since``."""
    starts = [Delivery(40, EPOCH, client_epoch=e).start() for e in (EPOCH, 0)]
    assert [[Replay(40)], [Replay(40)]] == starts


def test_a_stream_without_an_epoch_yet_keeps_the_clients_since() -> None:
    """Before a stream's first frame (epoch 0) a client's epoch cannot differ: ``since`` stands."""
    assert [Replay(40)] == Delivery(40, 0, client_epoch=EPOCH).start()


def test_a_live_frame_of_another_epoch_closes_the_screen_to_start_over() -> None:
    """The stream was rebuilt while connected: close 1012 "stream rebuilt: start over"."""
    screen = live_screen(4)
    assert [Close(1012, "stream rebuilt: start over")] == screen.live(frame(5, EPOCH + 1))
    assert State.CLOSED == screen.state


def test_a_replay_page_crossing_an_epoch_sends_up_to_it_then_closes() -> None:
    """In a page, the frames of the screen's epoch are sent, then the other epoch closes."""
    screen = Delivery(0, EPOCH)
    screen.start()
    page = [*frames(1, 2), frame(3, EPOCH + 1)]
    assert [*sends(1, 2), REBUILT] == screen.replayed(page)


def test_the_first_epoch_of_a_new_stream_is_adopted() -> None:
    """A screen that joined before the stream's first frame takes that frame's epoch."""
    screen = live_screen(0, epoch=0)
    assert sends(1) == screen.live(frame(1))
    assert [Heartbeat(1, EPOCH)] == screen.tick()


def test_an_epoch_change_event_to_the_same_or_no_epoch_changes_nothing() -> None:
    """The stream reported at the screen's epoch, or at none, decides nothing."""
    screen = live_screen(3)
    assert [[], []] == [screen.epoch_changed(EPOCH), screen.epoch_changed(0)]
    assert State.LIVE == screen.state


def test_an_epoch_change_event_closes_the_screen() -> None:
    """The stream reported at another epoch: the screen is closed to start over."""
    assert [REBUILT] == live_screen(3).epoch_changed(EPOCH + 1)


# Every interleaving of replay pages and live frames


@dataclass
class Run:
    """A screen against a table and a hub: the table grows, the hub pushes, pages are read."""

    screen: Delivery
    table: int  # frames 1..table are committed
    next_push: int  # the next seq the hub pushes
    page_size: int
    asked: int | None = None  # the outstanding replay's ``after``
    sent: list[int] = field(default_factory=list)

    def apply(self, decisions: list[Decision]) -> None:
        for decision in decisions:
            assert not isinstance(decision, Close | Heartbeat), decision
            if isinstance(decision, Send):
                self.sent.append(decision.frame.seq)
            else:
                assert self.asked is None, "a second replay while one is under way"
                self.asked = decision.after

    def page(self) -> None:
        if self.asked is not None:
            after, self.asked = self.asked, None
            last = min(after + self.page_size, self.table)
            self.apply(self.screen.replayed(frames(*range(after + 1, last + 1))))

    def push(self) -> None:
        if self.next_push <= self.table:
            self.apply(self.screen.live(frame(self.next_push)))
            self.next_push += 1


@settings(max_examples=400)
@given(
    head=st.integers(0, 12),
    data=st.data(),
    actions=st.lists(
        st.tuples(st.sampled_from(["commit", "push", "again", "skip", "page"]), st.integers(0, 9)),
        max_size=80,
    ),
    page_size=st.integers(1, 5),
)
def test_any_interleaving_sends_each_frame_after_since_once_in_order(
    head: int,
    data: st.DataObject,
    actions: list[tuple[str, int]],
    page_size: int,
) -> None:
    """Pages, live pushes (repeated, out of step, skipping one) in any order: since+1..head, once.

    The hub pushes from its cursor (at or before the screen's head + 1), may push a frame again
    and may skip one (a later one follows); pages are read from the table as it is then.
    """
    since = data.draw(st.integers(0, head))
    pushed_from = data.draw(st.integers(1, head + 1))
    epoch = 0 if head == 0 and data.draw(st.booleans()) else EPOCH
    run = Run(Delivery(since, epoch), head, pushed_from, page_size)
    run.apply(run.screen.start())
    for action, number in actions:
        if action == "commit":
            run.table += 1
        elif action == "push":
            run.push()
        elif action == "again" and run.next_push > pushed_from:
            run.apply(run.screen.live(frame(max(pushed_from, run.next_push - 1 - number))))
        elif action == "skip" and run.next_push < run.table:
            run.next_push += 1
        elif action == "page":
            run.page()
    while run.asked is not None or run.next_push <= run.table:
        run.page()
        run.push()
    assert list(range(since + 1, run.table + 1)) == run.sent
    assert (State.LIVE, run.table) == (run.screen.state, run.screen.sent)


# Delivery confirmations


def test_a_delivery_confirmation_gives_its_seq() -> None:
    """``{"type": "delivered", "seq": 12}`` confirms frame 12."""
    assert 12 == delivered_seq({"type": "delivered", "seq": 12})


def test_anything_else_confirms_nothing() -> None:
    """Other types, a missing, zero, negative, boolean or non-integer seq, non-objects: None."""
    messages: list[object] = [
        {"type": "hello", "seq": 3},
        {"type": "delivered"},
        {"type": "delivered", "seq": 0},
        {"type": "delivered", "seq": -2},
        {"type": "delivered", "seq": True},
        {"type": "delivered", "seq": "3"},
        {"type": "delivered", "seq": 3.0},
        [1, 2],
        "delivered",
        None,
    ]
    assert [None] * len(messages) == [delivered_seq(m) for m in messages]


# The listener's cursor per stream


def test_joining_a_stream_nobody_watched_moves_its_cursor_to_the_head() -> None:
    """Nobody here followed the stream: fetching resumes at the new screen's head."""
    assert [9, 9, 12] == [
        cursor_on_join(None, 9, watched=False),
        cursor_on_join(4, 9, watched=False),
        cursor_on_join(12, 9, watched=False),
    ]


def test_joining_a_watched_stream_keeps_its_cursor() -> None:
    """Screens already there still need the frames between the cursor and the new head."""
    assert [4, 0] == [cursor_on_join(4, 9, watched=True), cursor_on_join(None, 9, watched=True)]


def test_fresh_keeps_the_frames_after_the_cursor_once_in_order() -> None:
    """Frames at or before the cursor, and repeats, are dropped; the cursor moves to the last."""
    assert (frames(6, 7, 8), 8) == fresh(5, frames(7, 4, 6, 5, 8, 7))


def test_fresh_with_nothing_new_keeps_the_cursor() -> None:
    """No frame after the cursor: nothing to hand over, the cursor stays."""
    assert ([], 5) == fresh(5, frames(3, 5))
