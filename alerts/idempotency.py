"""Telling a true retry from a reused Idempotency-Key: a fingerprint of the request body."""

from __future__ import annotations

import hashlib
import json


def request_hash(payload: object) -> str:
    """A stable sha256 of a JSON-able request body."""
    body = json.dumps(payload, sort_keys=True, default=str, ensure_ascii=False)
    return hashlib.sha256(body.encode()).hexdigest()
