"""The login lockout policy (issue 12, finding 3): at, just below and just above each threshold."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from units.login_policy import Failures, Limit, LoginPolicy, decide, locked_until, lockout_for

NOW = datetime(2026, 12, 4, 2, 0, tzinfo=UTC)
ACCOUNT = Limit(5, timedelta(minutes=15), timedelta(minutes=15), timedelta(hours=24))
ADDRESS = Limit(20, timedelta(minutes=15), timedelta(minutes=15), timedelta(hours=24))
POLICY = LoginPolicy(account=ACCOUNT, address=ADDRESS)
NONE = Failures(0, None)


def failures(count: int, ago: timedelta = timedelta(0)) -> Failures:
    return Failures(count, NOW - ago if count else None)


def test_below_the_account_threshold_is_allowed() -> None:
    """Finding 3: 4 failures (one below 5) still let the account try."""
    assert decide(POLICY, failures(4), NONE, NOW).allowed


def test_at_the_account_threshold_locks_with_retry_after() -> None:
    """Finding 3: the 5th failure locks the account for the lockout (900 s)."""
    verdict = decide(POLICY, failures(5), NONE, NOW)
    assert (False, 900, "account_locked") == (
        verdict.allowed,
        verdict.retry_after_seconds,
        verdict.reason,
    )


def test_above_the_threshold_stays_locked() -> None:
    """6 failures (above 5, below 10) keep the first lockout."""
    assert 900 == decide(POLICY, failures(6), NONE, NOW).retry_after_seconds


def test_lock_ends_exactly_after_the_lockout() -> None:
    """Locked a second before the lockout ends, free at its end and after."""
    assert not decide(POLICY, failures(5, timedelta(seconds=899)), NONE, NOW).allowed
    assert 1 == decide(POLICY, failures(5, timedelta(seconds=899)), NONE, NOW).retry_after_seconds
    assert decide(POLICY, failures(5, timedelta(seconds=900)), NONE, NOW).allowed
    assert decide(POLICY, failures(5, timedelta(seconds=901)), NONE, NOW).allowed


@pytest.mark.parametrize(
    ("count", "minutes"),
    [(4, 0), (5, 15), (9, 15), (10, 30), (14, 30), (15, 60), (20, 120), (10_000, 24 * 60)],
)
def test_lockout_grows_with_each_multiple_up_to_the_maximum(count: int, minutes: int) -> None:
    """The lockout doubles at each further multiple of the threshold, capped at 24 h."""
    assert timedelta(minutes=minutes) == lockout_for(ACCOUNT, count)


def test_address_threshold_below_at_above() -> None:
    """Finding 3: one address is locked at 20 failures across accounts, not at 19."""
    assert decide(POLICY, NONE, failures(19), NOW).allowed
    at = decide(POLICY, NONE, failures(20), NOW)
    above = decide(POLICY, NONE, failures(21), NOW)
    assert (False, "address_locked") == (at.allowed, at.reason)
    assert (False, 900) == (above.allowed, above.retry_after_seconds)


def test_the_longer_of_two_locks_is_reported() -> None:
    """Both locked: the answer waits for the later of the two."""
    verdict = decide(POLICY, failures(10), failures(20, timedelta(minutes=5)), NOW)
    assert (1800, "account_locked") == (verdict.retry_after_seconds, verdict.reason)


def test_no_failures_no_lock() -> None:
    assert locked_until(ACCOUNT, NONE) is None


@pytest.mark.parametrize(
    "bad",
    [
        {"max_failures": 0},
        {"window": timedelta(0)},
        {"lockout": timedelta(0)},
        {"max_lockout": timedelta(minutes=1)},
    ],
)
def test_bad_limits_are_refused(bad: dict[str, object]) -> None:
    values: dict[str, object] = {
        "max_failures": 5,
        "window": timedelta(minutes=15),
        "lockout": timedelta(minutes=15),
        "max_lockout": timedelta(hours=1),
    }
    with pytest.raises(ValueError, match="must"):
        Limit(**{**values, **bad})  # type: ignore[arg-type]
