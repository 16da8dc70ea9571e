"""A smoke run of the field load (``infofirst bench field_load --quick``): two API processes,
20 walls and 20 tablets, 60 ambulances, 6 s of alerts, stamps and GPS fixes, against the bare
server measured before and halfway through the load. The figures are written, whatever they are
(a benchmark, not a timed test); what is checked is that every part ran and nothing was lost."""

from __future__ import annotations

import json
import socket
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

from bench import field_load
from tests.conftest import TEST_DATABASE_URL
from tests.integration.test_login_flood_smoke import free_port


def two_free_ports() -> int:
    """A port free now with the next one free too (the quick run's two API servers)."""
    for _ in range(50):
        port = free_port()
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port + 1)) != 0:
                return port
    raise RuntimeError("no two free ports in a row on 127.0.0.1")


@pytest.mark.timeout(300)
def test_field_load_quick_runs_every_part(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    database = make_url(TEST_DATABASE_URL)
    smoke = database.set(database=f"{database.database}_bench_load").render_as_string(False)
    monkeypatch.setenv("INFOFIRST_BENCH_RESULTS_DIR", str(tmp_path))
    monkeypatch.delenv("INFOFIRST_BENCH_LOAD_LAB", raising=False)
    monkeypatch.setenv("INFOFIRST_BENCH_LOAD_MINUTES", "0.1")  # 6 s of load: the suite's time
    monkeypatch.setattr(field_load, "DATABASE", smoke)
    monkeypatch.setattr(field_load, "FIRST_PORT", two_free_ports())
    monkeypatch.setattr(field_load, "BASELINE_PORT", free_port())

    field_load.main(quick=True)

    data = json.loads((tmp_path / "field_load-quick.json").read_text())
    alerts = data["alerts"]
    assert alerts["screens_each"] == 20
    assert alerts["frames_lost"] == 0, alerts
    assert alerts["p50_ms"] is not None
    for figure in ("baseline_p50_ms", "baseline_under_load_p99_ms", "p99_ratio_under_load"):
        assert alerts[figure] is not None, figure
    assert data["writers"]["gps"]["fixes_per_second"] > 0
    assert sum(data["gps_track"].values()) > 0
