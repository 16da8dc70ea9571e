"""Log lines never carry a bearer token from a websocket URL (no I/O)."""

from __future__ import annotations

import json
import logging

from dispatch.http import logs
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


def test_a_uvicorn_record_is_one_json_line_without_its_token() -> None:
    """uvicorn's access line, through the process's one formatter, is JSON with the token hidden."""
    record = logging.LogRecord(
        "uvicorn.access", logging.INFO, __file__, 1,
        '%s - "%s %s HTTP/%s" %d', ("127.0.0.1:5000", "GET", "/ws/x?token=eyJ.abc", "1.1", 200),
        None,
    )  # fmt: skip
    assert RedactTokens().filter(record)
    line = json.loads(logs.formatter(json=True).format(record))
    assert ('127.0.0.1:5000 - "GET /ws/x?token=*** HTTP/1.1" 200', "uvicorn.access", "info") == (
        line["event"],
        line["logger"],
        line["level"],
    )


def test_structlog_values_carrying_a_token_are_redacted() -> None:
    """A structlog event whose value holds ``token=…`` is logged without the token."""
    event = logs.redact_tokens(None, "info", {"event": "ws_open", "url": "/ws/x?token=abc&since=1"})
    assert {"event": "ws_open", "url": "/ws/x?token=***&since=1"} == event
