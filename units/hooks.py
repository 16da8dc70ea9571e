"""Listeners the app registers for unit events, run inside the request's transaction.

The units package knows nothing of cases; the app composing it (``dispatch``) registers a
listener that stamps the case's milestones when its ambulance changes status, and one that
updates the case's ETA when the ambulance moves. Inversion keeps the dependencies one-way.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import cast

from fastapi import Request
from sqlalchemy.ext.asyncio import AsyncSession

from units.models import Ambulance, User

StatusListener = Callable[[AsyncSession, Ambulance, str, str, datetime, User], Awaitable[None]]
PositionListener = Callable[[AsyncSession, Ambulance], Awaitable[None]]


@dataclass
class UnitHooks:
    on_status: list[StatusListener] = field(default_factory=list)
    on_position: list[PositionListener] = field(default_factory=list)


def hooks(request: Request) -> UnitHooks:
    """The app's registered listeners (none if the app registered none)."""
    return cast(UnitHooks, getattr(request.app.state, "unit_hooks", UnitHooks()))
