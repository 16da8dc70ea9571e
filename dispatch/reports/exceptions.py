"""Errors raised by the reports (mapped to problem+json by the app in one table).

ReportError
├── InvalidReport    a request the report cannot answer as asked: from after to, an unknown
│                    pathway, a date that is not one (422)
└── EmptyPeriod      no case in the period for the pathway and facility asked (404)

Unknown facilities are ``units.exceptions.NotFound`` (404) and a facility outside the user's
scope is ``units.exceptions.Forbidden`` (403), as everywhere else.
"""

from __future__ import annotations


class ReportError(Exception):
    """Base of every report error."""


class InvalidReport(ReportError):
    """The request is well-formed but asks for something the report cannot be."""


class EmptyPeriod(ReportError):
    """Nothing to report: no case falls in the period (for that pathway and facility)."""
