"""The order of a test run (pure): tests that stop PostgreSQL go last, the others keep theirs."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from tests import conftest
from tests.ordering import STOPS_POSTGRES, order_items
from tests.reliability import test_postgres_restart


@dataclass(frozen=True)
class FakeItem:
    """A collected test as ``order_items`` sees it: a name and its markers."""

    name: str
    markers: frozenset[str] = frozenset()

    def get_closest_marker(self, name: str) -> pytest.Mark | None:
        return getattr(pytest.mark, name).mark if name in self.markers else None


def fake_items(*names: str) -> list[FakeItem]:
    """Items named in order; a name ending in ``!`` is marked ``stops_postgres``."""
    return [
        FakeItem(n.rstrip("!"), frozenset({STOPS_POSTGRES}) if n.endswith("!") else frozenset())
        for n in names
    ]


def names(items: list[FakeItem]) -> list[str]:
    return [item.name for item in items]


def test_a_test_that_stops_postgres_goes_last_whatever_its_place() -> None:
    """Marked first among tests/reliability, it still runs after tests/unit's."""
    items = fake_items("reliability/restart!", "reliability/delivery", "unit/decision")
    assert ["reliability/delivery", "unit/decision", "reliability/restart"] == names(
        order_items(items)
    )


def test_the_others_keep_their_order_and_so_do_the_marked_ones() -> None:
    """Only the marked tests move; both groups keep the order they were collected in."""
    items = fake_items("a", "stop-1!", "b", "stop-2!", "c")
    assert ["a", "b", "c", "stop-1", "stop-2"] == names(order_items(items))


@pytest.mark.parametrize("collected", [[], ["a", "b", "c"], ["a", "b", "last!"]])
def test_an_order_without_a_misplaced_marked_test_is_unchanged(collected: list[str]) -> None:
    """No marked test, or one already last: the order is left as it is."""
    items = fake_items(*collected)
    assert names(items) == names(order_items(items))


def test_the_hook_reorders_the_sessions_items_in_place() -> None:
    """tests/conftest.py's hook changes the list pytest runs, not a copy."""
    items = fake_items("restart!", "unit")
    collected = items
    conftest.pytest_collection_modifyitems(items)  # type: ignore[arg-type]
    assert collected is items
    assert ["unit", "restart"] == names(items)


def test_the_postgres_restart_test_is_marked(pytestconfig: pytest.Config) -> None:
    """The restart test carries the marker, and the marker is registered in pyproject.toml."""
    assert STOPS_POSTGRES == test_postgres_restart.pytestmark.name
    registered = [line.split(":")[0] for line in pytestconfig.getini("markers")]
    assert STOPS_POSTGRES in registered
