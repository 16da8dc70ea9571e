"""Log lines never carry a bearer token from a websocket URL (no I/O)."""

from __future__ import annotations

import logging

from dispatch.http.logs import RedactTokens


def test_websocket_tokens_are_redacted() -> None:
    """A uvicorn-style line with ?token=… keeps the path but not the token."""
    record = logging.LogRecord(
        "uvicorn.error", logging.INFO, __file__, 1,
        '%s - "WebSocket %s" [accepted]', ("127.0.0.1:5000", "/ws/x?since=3&token=eyJhbGc.abc.def"),
        None,
    )  # fmt: skip
    assert RedactTokens().filter(record)
    assert '127.0.0.1:5000 - "WebSocket /ws/x?since=3&token=***" [accepted]' == record.msg
