"""Errors raised by the units package (mapped to problem+json by the app in one table).

UnitsError
├── NotFound               an id that names nothing (404)
├── NotAuthenticated       no token, a bad or expired token, a disabled user (401)
├── Forbidden              a signed-in user acting outside their role or facility (403)
├── IllegalStatusChange    an ambulance status change the state machine forbids (409)
├── Conflict               a write that collides with existing data (409)
├── TooManyAttempts        sign-in locked for a while (429)
├── LoginBusy              too many password checks at once (503)
└── WeakPassword           a new password the rules refuse (422)
"""

from __future__ import annotations


class UnitsError(Exception):
    """Base of every units error."""


class NotFound(UnitsError):
    def __init__(self, kind: str, ident: str) -> None:
        super().__init__(f"no {kind} with id {ident!r}")
        self.kind = kind
        self.ident = ident


class NotAuthenticated(UnitsError):
    """Missing, malformed or expired credentials."""


class Forbidden(UnitsError):
    """The user is signed in but may not do this."""


class IllegalStatusChange(UnitsError):
    def __init__(self, current: str, requested: str, allowed: tuple[str, ...]) -> None:
        super().__init__(
            f"an ambulance that is {current!r} cannot become {requested!r};"
            f" allowed: {', '.join(allowed) or 'none'}"
        )
        self.current = current
        self.requested = requested
        self.allowed = allowed


class Conflict(UnitsError):
    """The write collides with data already there."""


class TooManyAttempts(UnitsError):
    """Sign-in refused: the account or the address is locked for a while (429, Retry-After)."""

    def __init__(self, retry_after_seconds: int) -> None:
        super().__init__(f"too many failed sign-ins: try again in {retry_after_seconds} s")
        self.retry_after_seconds = retry_after_seconds


class LoginBusy(UnitsError):
    """Sign-in refused: too many password checks in flight (503, Retry-After)."""

    def __init__(self, retry_after_seconds: int) -> None:
        super().__init__("too many sign-ins at once: try again shortly")
        self.retry_after_seconds = retry_after_seconds


class WeakPassword(UnitsError):
    """A new password refused by the password rules (422)."""
