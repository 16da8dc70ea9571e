"""The process's session cache (units/session_cache.py), without I/O: used only while the
listener is connected, entries kept for their seconds, forgotten on the database's doorbell,
and a read that raced a notification is not kept."""

from __future__ import annotations

from datetime import UTC, datetime

from units.models import User, UserSession
from units.session_cache import SessionCache, forget

EXPIRES = datetime(2026, 12, 4, 12, tzinfo=UTC)


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def _read(user_id: int = 7, name: str = "crew-amb-01") -> tuple[UserSession, User]:
    user = User(id=user_id, username=name, role="crew", active=True)
    return UserSession(jti=f"j{user_id}", user_id=user_id, expires_at=EXPIRES), user


def _cache(seconds: float = 5) -> tuple[SessionCache, Clock]:
    clock = Clock()
    cache = SessionCache(seconds, clock)
    cache.connected()
    return cache, clock


def test_nothing_is_kept_or_given_while_the_listener_is_away() -> None:
    """Before the listener connects, and after it lost its connection, nothing is cached."""
    cache = SessionCache(5, Clock())
    session, user = _read()
    cache.put("j7", session, user, cache.epoch)
    assert cache.get("j7") is None
    cache.connected()
    cache.put("j7", session, user, cache.epoch)
    assert cache.get("j7") is not None
    cache.disconnected()
    assert cache.get("j7") is None
    cache.connected()
    assert cache.get("j7") is None  # forgotten, not revived


def test_an_entry_lasts_its_seconds_and_not_a_moment_more() -> None:
    """Kept 5 s: given at 4.999 s, gone at 5 s; 0 seconds: never kept."""
    cache, clock = _cache(5)
    session, user = _read()
    cache.put("j7", session, user, cache.epoch)
    clock.now += 4.999
    entry = cache.get("j7")
    assert entry is not None
    assert (7, EXPIRES, "crew-amb-01") == (entry.user_id, entry.expires_at, entry.user().username)
    clock.now += 0.001
    assert cache.get("j7") is None
    off, _ = _cache(0)
    off.put("j7", session, user, off.epoch)
    assert off.get("j7") is None


def test_the_doorbell_forgets_the_session_or_every_session_of_the_user() -> None:
    """'session <jti>' drops that session; 'user <id>' every session of that user and no
    other; a payload it cannot read drops everything."""
    cache, _ = _cache()
    for user_id in (7, 8):
        session, user = _read(user_id, f"u{user_id}")
        cache.put(f"j{user_id}", session, user, cache.epoch)
    other, user = _read(7)
    other.jti = "j7b"
    cache.put("j7b", other, user, cache.epoch)
    cache.on_notify("session j7")
    assert (None, True, True) == (
        cache.get("j7"),
        cache.get("j7b") is not None,
        cache.get("j8") is not None,
    )
    cache.on_notify("user 7")
    assert (None, True) == (cache.get("j7b"), cache.get("j8") is not None)
    cache.on_notify("something else")
    assert cache.get("j8") is None


def test_a_read_that_raced_a_notification_is_not_kept() -> None:
    """A request began reading before a notification arrived: what it read may be stale."""
    cache, _ = _cache()
    session, user = _read()
    began = cache.epoch
    cache.on_notify("session j7")
    cache.put("j7", session, user, began)
    assert cache.get("j7") is None
    cache.put("j7", session, user, cache.epoch)
    assert cache.get("j7") is not None


def test_the_entry_holds_a_copy_not_the_request_s_user() -> None:
    """Changing the user object a request read does not change the cached entry."""
    cache, _ = _cache()
    session, user = _read()
    cache.put("j7", session, user, cache.epoch)
    user.role = "admin"
    entry = cache.get("j7")
    assert entry is not None
    assert "crew" == entry.user().role


def test_forget_drops_a_session_from_every_cache_of_the_process_at_once() -> None:
    """A sign-out in this process (units.sessions.revoke) does not wait for the doorbell."""
    first, _ = _cache()
    second, _ = _cache()
    session, user = _read()
    for cache in (first, second):
        cache.put("j7", session, user, cache.epoch)
    forget(["j7"])
    assert (None, None) == (first.get("j7"), second.get("j7"))
