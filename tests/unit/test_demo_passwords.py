"""The demo password is known in one list the checks share (issue 12, finding 2)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

from dispatch.demo.load import DEMO_PASSWORD
from units.accounts import DEMO_PASSWORDS, has_demo_password, password_problem
from units.security import hash_password

MIGRATION = Path(__file__).parents[2] / "migrations" / "versions" / "0011_sessions.py"


def test_the_demo_county_password_is_in_every_list_that_looks_for_it() -> None:
    """The password `demo load` gives its users is the one the production start, the password
    rules and migration 0011 (which flags existing users) look for."""
    spec = importlib.util.spec_from_file_location("migration_0011", MIGRATION)
    assert spec is not None
    assert spec.loader is not None
    migration = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(migration)
    assert DEMO_PASSWORD in DEMO_PASSWORDS
    assert set(DEMO_PASSWORDS) == set(migration._DEMO_PASSWORDS)
    stored = hash_password(DEMO_PASSWORD)
    assert (True, True) == (has_demo_password(stored), migration._is_demo(stored))
    assert password_problem("someone", DEMO_PASSWORD) is not None


def test_another_password_is_not_taken_for_a_demo_one() -> None:
    """A real password's hash (and a broken hash) is not a demo password."""
    assert False is has_demo_password(hash_password("a-real-password-123"))
    assert False is has_demo_password("not-a-hash")
