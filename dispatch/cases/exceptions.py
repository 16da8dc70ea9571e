"""Errors raised by cases, time stamps and dispatch (mapped to problem+json by the app).

CaseError
├── InvalidEvent          a stamp that cannot be recorded as sent (422): wrong facility,
│   │                     correction without a reason, unknown pathway, …
│   └── InvalidDelayReason  a delay reason for an interval that did not miss, or not coded (422)
├── IdempotencyMismatch   an Idempotency-Key reused with a different body (422)
├── AlreadySuperseded     a correction of a stamp that was already corrected (409)
├── DispatchConflict      the case already has a unit, or the unit is not available (409)
├── InvalidFindings       findings the decision rules cannot use (e.g. a score off its scale) (422)
├── CaseClosed            a new stamp, alert or change on a closed case (409)
└── TransferFirst         a door-in at a facility that is not a party of the case (409)
"""

from __future__ import annotations


class CaseError(Exception):
    """Base of every case error."""


class InvalidEvent(CaseError):
    """The request is well-formed but cannot be recorded on this case."""


class InvalidDelayReason(InvalidEvent):
    """Only an interval of the case that missed its target takes a reason, from the coded list."""


class IdempotencyMismatch(CaseError):
    """The key was used before for a different request."""


class AlreadySuperseded(CaseError):
    """Only the latest version of a stamp can be corrected."""


class DispatchConflict(CaseError):
    """Dispatch is not possible in the current state."""


class InvalidFindings(CaseError):
    """The case's findings are outside what the decision rules accept."""


class CaseClosed(CaseError):
    """The case is closed: it takes no new stamp, alert or change (reopen it first)."""


class TransferFirst(CaseError):
    """A facility becomes a party of a case only by an explicit transfer, never by a stamp."""
