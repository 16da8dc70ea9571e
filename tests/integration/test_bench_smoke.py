"""Smoke runs of the benchmarks (quick mode): they run, agree with their baselines and write JSON.

The figures themselves are not checked here (the timed suite is no place for them): run
``infofirst bench nearest`` and ``infofirst bench coverage`` for those. The nearest benchmark
writes to its own smoke database next to the test database (it replaces the road network);
results go to a temporary folder so the committed figures are never overwritten.
"""

from __future__ import annotations

import json
import re
import socket
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.engine import make_url
from typer.testing import CliRunner

from bench import nearest
from dispatch.cli import app
from tests.conftest import TEST_DATABASE_URL

SMOKE_DATABASE_URL = (
    make_url(TEST_DATABASE_URL)
    .set(database=f"{make_url(TEST_DATABASE_URL).database}_bench_smoke")
    .render_as_string(hide_password=False)
)


@pytest.fixture
def results(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """A temporary results folder and the smoke database, for this test only."""
    monkeypatch.setenv("INFOFIRST_BENCH_RESULTS_DIR", str(tmp_path))
    monkeypatch.setenv("INFOFIRST_BENCH_DATABASE_URL", SMOKE_DATABASE_URL)
    return tmp_path


def written(path: Path) -> dict[str, Any]:
    """The JSON a benchmark wrote, with the machine it ran on."""
    assert path.is_file(), path
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    assert {"python", "cpu_count", "date", "git_commit"} <= set(data["machine"])
    return data


def test_nearest_quick_agrees_with_pgrouting(results: Path) -> None:
    """Nearest 5 by the engine equal pgr_dijkstraCost on the reversed graph; the JSON says so."""
    returned = nearest.main(quick=True)
    data = written(results / "nearest-quick.json")
    assert Path(returned["results_file"]) == results / "nearest-quick.json"
    assert 0 == data["answers"]["mismatches"]
    assert data["answers"]["compared"] >= 5
    assert data["graph"]["synthetic"]
    assert data["graph"]["directed_edges"] > 10_000
    assert {
        "engine_p50_ms",
        "engine_p99_ms",
        "pgrouting_p50_ms",
        "pgrouting_p99_ms",
        "ratio_of_medians",
    } <= set(data["figures"])
    assert {"engine_p99_met", "ratio_met", "identical_answers"} <= set(data["goals"])
    assert data["goals"]["identical_answers"]


def test_coverage_quick_through_the_cli(results: Path) -> None:
    """`infofirst bench coverage --quick` writes both timings and areas that match the baseline."""
    outcome = CliRunner().invoke(app, ["bench", "coverage", "--quick"])
    assert 0 == outcome.exit_code, outcome.output
    assert "coverage-quick.json" in re.sub(r"\s+", "", outcome.output)
    data = written(results / "coverage-quick.json")
    assert {"ours_median_s", "baseline_median_s", "ratio_of_medians"} <= set(data["figures"])
    assert [30.0, 60.0, 120.0] == [row["minutes"] for row in data["areas"]]
    assert data["goals"]["areas_agree"]
    assert data["goals"]["met"] in (True, False)


def test_bench_refuses_an_unknown_name() -> None:
    """A name that is not a benchmark in bench/ exits 2 and says so."""
    outcome = CliRunner().invoke(app, ["bench", "common"])
    assert 2 == outcome.exit_code
    assert "no benchmark" in outcome.output


@pytest.mark.parametrize("fresh", ["reload", "forget"])
def test_reports_quick_agrees_with_the_python_baseline(
    results: Path, fresh: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`infofirst bench reports --quick`: SQL figures equal the Python baseline's; JSON written.
    The "fresh" state, made either way, has no page all-visible; after VACUUM nearly all are."""
    monkeypatch.setenv("INFOFIRST_BENCH_REPORTS_FRESH", fresh)
    outcome = CliRunner().invoke(app, ["bench", "reports", "--quick"])
    assert 0 == outcome.exit_code, outcome.output
    data = written(results / "reports-quick.json")
    assert [] == data["answers"]["mismatches"]
    assert data["data"]["synthetic"]
    assert data["data"]["report_cases"] == data["data"]["cases"]
    assert {
        "ours_median_s",
        "baseline_year_s",
        "ratio_year",
        "read_model_refresh_ms_per_stamp",
    } <= set(data["figures"])
    assert data["goals"]["identical_answers"]
    states = data["figures"]["year_in_three_states"]
    assert states["fresh_method"] == fresh
    assert states["server_autovacuum"] in ("on", "off")
    assert states["all_visible_share_before"]["fresh"] == 0
    assert states["all_visible_share_before"]["vacuumed"] > 0.9


def test_province_quick_agrees_with_a_plain_dijkstra_and_maps_its_files(results: Path) -> None:
    """The province bench (small network): same top 5 as an unbounded scipy Dijkstra, a build
    and per-worker PSS measured, JSON written."""
    from bench import province

    province.main(quick=True)
    data = written(results / "province-quick.json")
    assert data["nearest"]["mismatches"] == 0
    assert data["nearest"]["compared"] >= 5
    assert data["build"]["engine_build_s"] > 0
    assert data["memory"]["mapped_4"]["workers"] == 4
    assert data["memory"]["mapped_4"]["pss_total_mib"] > 0


def test_write_path_quick_through_the_cli(results: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """`infofirst bench write_path --quick`: alerts and stamps timed against /auth/me, and the
    screen connected (a client process of its own) got the last alert; the figures are
    written, whatever they are."""
    from tests.integration.test_login_flood_smoke import free_port  # it imports this module

    database = make_url(TEST_DATABASE_URL)
    monkeypatch.setenv(
        "INFOFIRST_BENCH_WRITE_DATABASE_URL",
        database.set(database=f"{database.database}_bench_write").render_as_string(False),
    )
    monkeypatch.setenv("INFOFIRST_BENCH_WRITE_PORT", str(free_port()))
    outcome = CliRunner().invoke(app, ["bench", "write_path", "--quick"])
    assert 0 == outcome.exit_code, outcome.output
    data = written(results / "write_path-quick.json")
    assert {"baseline_p50_ms", "alert_p50_ms", "stamp_p50_ms", "alert_p50_ratio"} <= set(
        data["figures"]
    )
    assert data["screen_got_last_alert"] is True


def test_reports_takes_its_size_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """INFOFIRST_BENCH_REPORTS_CASES: the full run's case count, its own database and results
    file (the default million keeps reports.json and ``_reports``); the templates grow with it."""
    from bench import reports

    monkeypatch.setenv("INFOFIRST_BENCH_DATABASE_URL", SMOKE_DATABASE_URL)
    monkeypatch.delenv(reports.CASES_ENV, raising=False)
    default = reports.full_plan()
    assert (default.cases, default.templates) == (1_000_000, 4_000)
    assert reports.results_name(False, default.cases) == "reports"
    assert make_url(reports.reports_url(False, default.cases)).database.endswith("_reports")
    monkeypatch.setenv(reports.CASES_ENV, "10000000")
    big = reports.full_plan()
    assert (big.cases, big.templates) == (10_000_000, 40_000)
    assert reports.results_name(False, big.cases) == "reports-10000000"
    assert make_url(reports.reports_url(False, big.cases)).database.endswith("_reports_10000000")
    monkeypatch.setenv(reports.CASES_ENV, "0")
    with pytest.raises(ValueError, match="at least one case"):
        reports.full_plan()


def test_a_bench_server_is_not_started_on_a_port_in_use() -> None:
    """Something already listening on the bench's port (a server left from another run) is
    refused: the bench would otherwise time that server (the other smoke tests start theirs)."""
    from bench.common import start_api_server

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        with pytest.raises(RuntimeError, match=f"127.0.0.1:{port} is already in use"):
            start_api_server(TEST_DATABASE_URL, port)


def test_the_reports_fresh_state_is_made_one_of_two_ways(monkeypatch: pytest.MonkeyPatch) -> None:
    """INFOFIRST_BENCH_REPORTS_FRESH: reload (the default) or forget; anything else refused."""
    from bench import reports_states

    monkeypatch.delenv(reports_states.FRESH_ENV, raising=False)
    assert reports_states.fresh_method() == "reload"
    monkeypatch.setenv(reports_states.FRESH_ENV, "forget")
    assert reports_states.fresh_method() == "forget"
    monkeypatch.setenv(reports_states.FRESH_ENV, "vacuum")
    with pytest.raises(ValueError, match="one of reload, forget"):
        reports_states.fresh_method()
