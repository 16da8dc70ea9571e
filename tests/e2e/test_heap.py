"""A started server's start-up heap is frozen out of the garbage collector's way (a full
collection over it stopped the event loop for 160-270 ms: `infofirst bench login_flood`), and
handed back when the server stops."""

from __future__ import annotations

import gc

from sqlalchemy.ext.asyncio import AsyncEngine

from dispatch.app import create_app
from dispatch.settings import Settings


async def test_the_start_up_heap_is_frozen_while_serving_and_thawed_at_stop(
    settings: Settings, engine: AsyncEngine
) -> None:
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        frozen = gc.get_freeze_count()  # frozen objects freed by their counts leave it
        walked = len(gc.get_objects())  # what a full collection walks now
        assert app.state.frozen_objects >= frozen > 100_000  # modules, routes, tables, ...
        assert walked < frozen // 4, (walked, frozen)
        assert all(obj is not app for obj in gc.get_objects())  # the app itself is frozen
    assert 0 == gc.get_freeze_count()
