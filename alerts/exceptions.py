"""Errors raised by the alerts package (mapped to problem+json by the app in one table).

AlertsError
├── AlertRejected        an alert that cannot be sent as asked (422): the facility cannot
│                        receive this pathway, an unknown attachment, …
├── AlertClosed          an answer or update to an alert that is already closed (409)
├── KeyReused            an Idempotency-Key reused with a different body (422)
├── EcgRejected          an ECG that cannot be sent or read as asked (422): another user's file,
│                        a second reading without a reason
├── RotaRejected         a rota shift that cannot be put on as asked (422): it ends before it
│                        starts, lasts over 24 h, or its user is not an active ECG reader
├── RotaOverlap          a rota shift overlapping another of the same reader (409)
└── AttachmentRejected   an upload that is not a PNG, JPEG, PDF or 12-lead waveform (DICOM,
    │                    HL7 aECG) by its content, or empty (422)
    └── AttachmentTooLarge   an upload over the attachment size limit (413)
"""

from __future__ import annotations


class AlertsError(Exception):
    """Base of every alerts error."""


class AlertRejected(AlertsError):
    """The alert cannot be sent as asked."""


class AlertClosed(AlertsError):
    """The alert was already answered, cancelled or closed by arrival."""


class KeyReused(AlertsError):
    """The Idempotency-Key was used before for a different alert."""


class AttachmentRejected(AlertsError):
    """The uploaded file is empty or, by its content, not a PNG, JPEG, PDF or 12-lead waveform."""


class AttachmentTooLarge(AttachmentRejected):
    """The uploaded file is larger than the configured limit."""


class EcgRejected(AlertsError):
    """The ECG cannot be sent for reading, or read, as asked."""


class RotaRejected(AlertsError):
    """The ECG readers' rota shift cannot be put on as asked."""


class RotaOverlap(AlertsError):
    """The shift overlaps another shift of the same reader."""
