"""The login flood benchmark's smoke run (issue 12, finding 3): one short round, not timed."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url
from typer.testing import CliRunner

from dispatch.cli import app
from tests.conftest import TEST_DATABASE_URL
from tests.integration.test_bench_smoke import written

FLOOD_DATABASE_URL = (
    make_url(TEST_DATABASE_URL)
    .set(database=f"{make_url(TEST_DATABASE_URL).database}_bench_login")
    .render_as_string(hide_password=False)
)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_login_flood_quick_is_throttled(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Finding 3: the flood's wrong logins are refused with 429 while /healthz and alerts are
    measured; the figures are written, whatever they are (a benchmark, not a timed test)."""
    monkeypatch.setenv("INFOFIRST_BENCH_RESULTS_DIR", str(tmp_path))
    monkeypatch.setenv("INFOFIRST_BENCH_LOGIN_DATABASE_URL", FLOOD_DATABASE_URL)
    monkeypatch.setenv("INFOFIRST_BENCH_LOGIN_PORT", str(free_port()))
    result = CliRunner().invoke(app, ["bench", "login_flood", "--quick"])
    assert 0 == result.exit_code, result.output
    data = written(tmp_path / "login_flood-quick.json")
    flood = data["rounds"][0]["flood"]
    assert flood["login_statuses"].get("429", 0) > flood["login_statuses"].get("401", 0)
    assert {"baseline", "flood"} == set(data["figures"])
    assert data["rounds"][0]["baseline"]["alert_samples"] > 0
