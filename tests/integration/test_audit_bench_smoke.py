"""The audit benchmark's smoke run (issue 12, finding 11): it runs and writes its figures (a
benchmark, not a timed test: the figures are whatever they are)."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy.engine import make_url
from typer.testing import CliRunner

from dispatch.cli import app
from tests.conftest import TEST_DATABASE_URL
from tests.integration.test_bench_smoke import written

AUDIT_BENCH_DATABASE_URL = (
    make_url(TEST_DATABASE_URL)
    .set(database=f"{make_url(TEST_DATABASE_URL).database}_bench_audit")
    .render_as_string(hide_password=False)
)


def test_audit_bench_quick_writes_its_figures(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Stamps with and without the audit trail, the statement alone, verify over the entries."""
    monkeypatch.setenv("INFOFIRST_BENCH_RESULTS_DIR", str(tmp_path))
    monkeypatch.setenv("INFOFIRST_BENCH_AUDIT_DATABASE_URL", AUDIT_BENCH_DATABASE_URL)
    result = CliRunner().invoke(app, ["bench", "audit", "--quick"])
    assert 0 == result.exit_code, result.output
    data = written(tmp_path / "audit-quick.json")
    figures = data["figures"]
    assert figures["entries"] >= 5_000
    assert {"audit_p50_ms", "baseline_p50_ms", "added_p50_ms", "verify_command_s"} <= set(figures)
    assert data["verify_output"].startswith("audit chain holds")
