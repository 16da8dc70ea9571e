"""A served process writes one log format: every line of its start, a request and its stop is a
JSON object (uvicorn's own lines included), and no line carries a bearer token."""

from __future__ import annotations

import json
from pathlib import Path

import httpx

from tests import server_process
from tests.server_process import HOST, free_port


def test_every_line_of_a_served_process_is_json(reliability_db: str, log_dir: Path) -> None:
    """uvicorn's start, access and stop lines and the app's are JSON; ?token= is redacted."""
    port = free_port()
    log_path = log_dir / f"log-format-{port}.log"
    process = server_process.start(
        port, reliability_db, log_path, {"log_level": "INFO"}, "--access-log"
    )
    try:
        server_process.wait_ready(process, f"http://{HOST}:{port}", "log-format", log_path)
        response = httpx.get(f"http://{HOST}:{port}/healthz?token=secret-token-value", timeout=5)
        assert 200 == response.status_code
    finally:
        server_process.stop(process)
    lines = [line for line in log_path.read_text().splitlines() if line.strip()]
    parsed = [json.loads(line) for line in lines]  # raises on any line that is not JSON
    loggers = {entry.get("logger") for entry in parsed}
    assert {"uvicorn.error", "uvicorn.access"} <= loggers, lines
    assert any("Application startup complete" in entry["event"] for entry in parsed), lines
    assert any("/healthz?token=***" in entry["event"] for entry in parsed), lines
    assert "secret-token-value" not in log_path.read_text()
