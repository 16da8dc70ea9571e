"""Listeners the app registers for case events, run inside the stamp's own transaction.

The cases package knows nothing of reports: the app composing both (``dispatch.app``)
registers the report read model's refresh as an ``on_stamp`` listener, so a case's report rows
are rewritten in the very transaction that records its stamp, and ``dispatch.reports`` reads
``dispatch.cases`` without the reverse import (as ``units.hooks`` does for units).

Every function that stamps takes the hooks as a required argument, and hooks without a stamp
listener are refused: a stamp can never silently skip the read model.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.ext.asyncio import AsyncSession

from dispatch.cases.models import CaseEvent

# (the transaction, the new stamp, all the case's events with it, in the stamp's transaction,
# which holds the case's row lock: the listener need not read them again)
StampListener = Callable[[AsyncSession, CaseEvent, Sequence[CaseEvent]], Awaitable[None]]


@dataclass(frozen=True)
class CaseHooks:
    """What a new stamp sets off beyond the cases package (at least one listener)."""

    on_stamp: Sequence[StampListener]

    def __post_init__(self) -> None:
        if not self.on_stamp:
            raise ValueError(
                "CaseHooks needs at least one on_stamp listener (the report read model's"
                " refresh): a stamp must not skip it"
            )

    async def stamped(
        self, db: AsyncSession, event: CaseEvent, events: Sequence[CaseEvent]
    ) -> None:
        """Run every ``on_stamp`` listener, in order, in the stamp's transaction; ``events``:
        all the case's events, the new one among them."""
        for listener in self.on_stamp:
            await listener(db, event, events)


async def case_hooks(request: Request) -> CaseHooks:
    """The app's registered hooks; an app that registered none fails loudly (``async``: no
    thread-pool hop per request, see ``geo.deps.input_limits``)."""
    hooks = getattr(request.app.state, "case_hooks", None)
    if not isinstance(hooks, CaseHooks):
        raise RuntimeError("no CaseHooks on app.state.case_hooks: the app factory registers them")
    return hooks


CaseHooksDep = Annotated[CaseHooks, Depends(case_hooks)]
