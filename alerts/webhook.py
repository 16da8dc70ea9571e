"""The escalation webhook's transport rules (issue 12, finding 12): where it may go, and the
HMAC-SHA256 signature a gateway checks.

Every request carries ``X-Infofirst-Timestamp`` (Unix seconds) and ``X-Infofirst-Signature:
sha256=<hex>``, the HMAC-SHA256 under the shared secret of ``<timestamp>.<body>`` (the raw body
bytes). A receiver recomputes it over the bytes it received, compares in constant time, and
refuses a timestamp more than ``REPLAY_WINDOW_SECONDS`` from its own clock (a captured request
cannot be replayed later); ``verify`` here is that check, for receivers written in Python.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
from urllib.parse import urlsplit

TIMESTAMP_HEADER = "X-Infofirst-Timestamp"
SIGNATURE_HEADER = "X-Infofirst-Signature"
REPLAY_WINDOW_SECONDS = 300


class WebhookRefused(ValueError):
    """A webhook configuration the service refuses to start with."""


def signature(secret: bytes, timestamp: int, body: bytes) -> str:
    """``sha256=<hex>``: HMAC-SHA256 of ``<timestamp>.<body>`` under ``secret``."""
    digest = hmac.new(secret, str(timestamp).encode() + b"." + body, hashlib.sha256)
    return f"sha256={digest.hexdigest()}"


def signed_headers(secret: bytes, timestamp: int, body: bytes) -> dict[str, str]:
    """The two headers of a signed request."""
    return {
        TIMESTAMP_HEADER: str(timestamp),
        SIGNATURE_HEADER: signature(secret, timestamp, body),
    }


def verify(
    secret: bytes,
    timestamp: str | None,
    signed: str | None,
    body: bytes,
    now: float,
    window: float = REPLAY_WINDOW_SECONDS,
) -> bool:
    """Whether a received request is signed with ``secret`` and fresh (within ``window`` s)."""
    if timestamp is None or signed is None or not timestamp.isascii() or not timestamp.isdigit():
        return False
    if abs(now - int(timestamp)) > window:
        return False
    return hmac.compare_digest(signature(secret, int(timestamp), body), signed)


def _loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def check(url: str, secret: str | None, environment: str) -> None:
    """Refuse a webhook that would travel in clear or unsigned where that matters.

    https anywhere; plain http only to this host's loopback and never in production; in
    production a secret is required (at least 32 characters).
    """
    parts = urlsplit(url)
    host = parts.hostname or ""
    if not host:
        raise WebhookRefused(f"the escalation webhook URL {url!r} has no host")
    if parts.scheme == "http":
        if environment == "production":
            raise WebhookRefused("the escalation webhook must use https in production")
        if not _loopback(host):
            raise WebhookRefused("a plain-http escalation webhook may only go to loopback")
    elif parts.scheme != "https":
        raise WebhookRefused(f"the escalation webhook URL must be https, not {parts.scheme!r}")
    if environment == "production" and (secret is None or len(secret) < 32):
        raise WebhookRefused(
            "INFOFIRST_ESCALATION_WEBHOOK_SECRET (at least 32 characters) is required in production"
        )
