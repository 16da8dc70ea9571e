"""The sans-I/O core of alert delivery: what one screen is sent, and what the listener fetches.

No asyncio, no socket, no database and no clock here (as in python-websockets' ``protocol.py``):
the websocket (``alerts/ws.py``) and the listener (``alerts/hub.py``) read from the network and
the table, feed the core plain events, and do what it answers.

One screen (``Delivery``), after the hello (``since``, the stream's epoch and, if the screen
knows it, the client's):

- ``start()`` asks for a replay after ``since``; each page read from the table goes to
  ``replayed(frames)``, which sends the frames not sent yet and asks for the next page; an empty
  page means the screen has caught up: it is live.
- ``live(frame)`` (a frame the hub pushed): sent if it is the next one, ignored if already sent;
  a gap (the next one is missing) means "replay first": the missing frames, and this one, are read
  from the table (a live frame is always committed before it is pushed).
- ``lagged()`` (the screen's queue overflowed): close with 1013; the screen replays on reconnect.
- ``tick()``: a heartbeat carrying the last seq sent and the epoch.
- A frame of another epoch than the screen's (the stream was rebuilt while it was connected):
  close with 1012; the screen reconnects, sees the new epoch and starts over. A client whose
  epoch is not the stream's is replayed the stream from its first frame (frames carry their
  epoch, so the screen starts over on the first one).

So the frames sent are the stream's frames after ``since``, in seq order, each once.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

POLICY_VIOLATION = 1008
SERVICE_RESTART = 1012
TRY_AGAIN_LATER = 1013


@dataclass(frozen=True)
class Outgoing:
    """A frame serialised once for every screen of the process (not once per screen)."""

    seq: int
    text: str
    epoch: int = 0


@dataclass(frozen=True)
class Send:
    """Send this frame's text now."""

    frame: Outgoing


@dataclass(frozen=True)
class Heartbeat:
    """Send ``{"type": "heartbeat", "seq": seq, "epoch": epoch}`` now."""

    seq: int
    epoch: int


@dataclass(frozen=True)
class Replay:
    """Read the stream's frames after ``after`` from the table and pass them to ``replayed``."""

    after: int


@dataclass(frozen=True)
class Close:
    """Close the websocket with this code and reason; nothing more is sent."""

    code: int
    reason: str


Decision = Send | Heartbeat | Replay | Close
LAGGING = Close(TRY_AGAIN_LATER, "fell behind: replay")
REBUILT = Close(SERVICE_RESTART, "stream rebuilt: start over")


class State(enum.Enum):
    """Where a screen is: catching up from the table, following the hub, or done."""

    REPLAYING = "replaying"
    LIVE = "live"
    CLOSED = "closed"


class Delivery:
    """One screen's delivery state machine: events in, decisions out."""

    def __init__(self, since: int, epoch: int, client_epoch: int = 0) -> None:
        """``epoch`` is the stream's (0 before its first frame); ``client_epoch`` 0 if unknown."""
        restart = bool(client_epoch and epoch and client_epoch != epoch)
        self.sent = 0 if restart else max(since, 0)
        self.epoch = epoch
        self.state = State.REPLAYING

    def start(self) -> list[Decision]:
        """The first decision: replay what the table has after ``since``."""
        return [] if self.state is State.CLOSED else [Replay(self.sent)]

    def replayed(self, frames: Sequence[Outgoing]) -> list[Decision]:
        """A page read from the table after the last ``Replay``; empty: caught up, now live."""
        if self.state is not State.REPLAYING:
            return []
        if not frames:
            self.state = State.LIVE
            return []
        decisions = self._take(frames)
        if decisions and isinstance(decisions[-1], Close):
            return decisions
        return [*decisions, Replay(self.sent)]

    def live(self, frame: Outgoing) -> list[Decision]:
        """A frame the hub pushed: the next one is sent, an old one ignored, a gap replayed."""
        if self.state is State.CLOSED or frame.seq <= self.sent:
            return []
        if frame.seq == self.sent + 1:
            return self._take([frame])
        if self.state is State.REPLAYING:
            return []  # the replay under way reads it from the table
        self.state = State.REPLAYING
        return [Replay(self.sent)]

    def lagged(self) -> list[Decision]:
        """The hub dropped frames for this screen: close it; it replays when it reconnects."""
        return self._close(LAGGING)

    def epoch_changed(self, epoch: int) -> list[Decision]:
        """The stream's epoch is ``epoch``: adopted if the screen had none, else it restarts."""
        if self.state is State.CLOSED or not epoch or epoch == self.epoch:
            return []
        if not self.epoch:
            self.epoch = epoch
            return []
        return self._close(REBUILT)

    def tick(self) -> list[Decision]:
        """Heartbeat time: tell the screen the last seq sent and the epoch."""
        return [] if self.state is State.CLOSED else [Heartbeat(self.sent, self.epoch)]

    def _take(self, frames: Iterable[Outgoing]) -> list[Decision]:
        """Send the frames not sent yet, in order; a frame of another epoch closes."""
        decisions: list[Decision] = []
        for frame in frames:
            closing = self.epoch_changed(frame.epoch)
            if closing:
                return [*decisions, *closing]
            if frame.seq <= self.sent:
                continue  # sent already (replay and live overlap)
            decisions.append(Send(frame))
            self.sent = frame.seq
        return decisions

    def _close(self, close: Close) -> list[Decision]:
        if self.state is State.CLOSED:
            return []
        self.state = State.CLOSED
        return [close]


def delivered_seq(message: object) -> int | None:
    """The seq a screen confirms with ``{"type": "delivered", "seq": N}`` (N > 0), else None."""
    if not isinstance(message, dict) or message.get("type") != "delivered":
        return None
    seq = message.get("seq")
    if isinstance(seq, bool) or not isinstance(seq, int) or seq <= 0:
        return None
    return seq


# The listener's bookkeeping, per stream: the last seq this process fetched (its cursor).


def cursor_on_join(cursor: int | None, head: int, watched: bool) -> int:
    """The cursor once a screen joins at ``head``.

    A stream nobody here watched jumps to ``head`` (the screen replays up to there itself); a
    watched one keeps its cursor, whatever the new screen's head, so the screens already there
    still get the frames between.
    """
    if watched:
        return cursor or 0
    return max(cursor or 0, head)


def fresh(cursor: int, frames: Iterable[Outgoing]) -> tuple[list[Outgoing], int]:
    """The frames after ``cursor`` (in order, each once) and the cursor after them."""
    new: list[Outgoing] = []
    for frame in sorted(frames, key=lambda f: f.seq):
        if frame.seq > cursor:
            new.append(frame)
            cursor = frame.seq
    return new, cursor
