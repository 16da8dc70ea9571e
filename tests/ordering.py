"""The order of a test run: tests that stop PostgreSQL go last, whatever their file is called.

A test marked ``@pytest.mark.stops_postgres`` stops the machine's shared PostgreSQL server, so it
must run after every other test of the session (``tests/conftest.py`` applies ``order_items`` to
the collected items, after any other plugin has reordered them). The other tests keep their order.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol, TypeVar

STOPS_POSTGRES = "stops_postgres"


class Item(Protocol):
    """What ``order_items`` needs of a ``pytest.Item``."""

    def get_closest_marker(self, name: str) -> Any: ...


ItemT = TypeVar("ItemT", bound=Item)


def stops_postgres(item: Item) -> bool:
    """Whether the test is marked ``stops_postgres`` (on itself, its class or its module)."""
    return item.get_closest_marker(STOPS_POSTGRES) is not None


def order_items(items: Sequence[ItemT]) -> list[ItemT]:
    """The items in their order, those that stop PostgreSQL moved to the end (in their order)."""
    return [i for i in items if not stops_postgres(i)] + [i for i in items if stops_postgres(i)]
