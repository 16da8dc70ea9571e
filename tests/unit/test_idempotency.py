"""The one Idempotency-Key module: fingerprints and the replay rule (the race: the concurrency
tests, tests/e2e/test_cases_concurrency.py and tests/reliability/test_delivery.py)."""

from __future__ import annotations

import pytest

from alerts.models import Alert
from dispatch.cases.models import Case
from units.idempotency import Keyed, replay, request_hash


class Reused(Exception):
    pass


def test_the_fingerprint_ignores_key_order_and_sees_every_value() -> None:
    """Same body in another key order: same fingerprint; one value changed: another."""
    body = {"pathway": "stemi", "location": {"lon": 114.9, "lat": 33.4}, "drill": False}
    reordered = {"drill": False, "location": {"lat": 33.4, "lon": 114.9}, "pathway": "stemi"}
    assert request_hash(body) == request_hash(reordered)
    assert request_hash(body) != request_hash({**body, "drill": True})
    assert 64 == len(request_hash(body))


def test_a_retry_of_the_same_request_gets_the_earlier_row() -> None:
    """Same key and fingerprint (and the same user where asked): the earlier row is replayed."""
    earlier = Case(id=7, request_hash="abc", created_by="dispatcher")
    keyed = Keyed("key-1", "abc", must_match={"created_by": "dispatcher"})
    assert earlier is replay(earlier, keyed, Reused("reused"))


@pytest.mark.parametrize(
    ("earlier", "keyed"),
    [
        (Alert(id=1, request_hash="abc"), Keyed("key-1", "other body")),
        (
            Case(id=7, request_hash="abc", created_by="dispatcher"),
            Keyed("key-1", "abc", must_match={"created_by": "township-th-nandun"}),
        ),
    ],
)
def test_the_same_key_for_another_request_is_refused(earlier: Alert | Case, keyed: Keyed) -> None:
    """Another body, or another user where the user must match: the caller's error."""
    with pytest.raises(Reused, match="used before"):
        replay(earlier, keyed, Reused("used before"))
