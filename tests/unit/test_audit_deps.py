"""scripts/audit_deps.py: pip-audit's outcome read right, and an unreachable advisory
service skipped with a notice (exit 0) instead of failing the run (no network needed)."""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path
from types import ModuleType

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "audit_deps.py"


def load() -> ModuleType:
    spec = importlib.util.spec_from_file_location("audit_deps", SCRIPT)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_a_known_vulnerability_fails_and_is_named() -> None:
    report = {
        "dependencies": [
            {"name": "ok", "version": "1.0", "vulns": []},
            {
                "name": "bad",
                "version": "2.0",
                "vulns": [{"id": "PYSEC-1", "fix_versions": ["2.1"]}],
            },
        ]
    }
    code, message = load().verdict(1, json.dumps(report), "")
    assert 1 == code
    assert "bad 2.0: PYSEC-1 (fixed: 2.1)" in message


def test_a_clean_report_passes() -> None:
    report = {"dependencies": [{"name": "ok", "version": "1.0", "vulns": []}]}
    assert (0, "pip-audit: no known vulnerabilities in 1 installed packages") == load().verdict(
        0, json.dumps(report), ""
    )


def test_a_network_failure_mid_run_is_a_notice() -> None:
    code, message = load().verdict(1, "", "requests.exceptions.ConnectionError: Max retries")
    assert (0, True) == (code, message.startswith("NOTICE"))


def test_any_other_failure_fails() -> None:
    assert 1 == load().verdict(2, "", "usage: pip-audit ...")[0]


def test_an_unreachable_service_is_skipped_with_a_notice() -> None:
    """Nothing listens on port 9 of the loopback: the probe fails at once, exit 0, a notice."""
    env = {
        **os.environ,
        "INFOFIRST_AUDIT_PROBE_URL": "http://127.0.0.1:9/pypi/pip/json",
        "INFOFIRST_AUDIT_TIMEOUT": "2",
    }
    run = subprocess.run(  # noqa: S603
        [sys.executable, str(SCRIPT)],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=False,
    )
    assert 0 == run.returncode, run.stderr
    assert run.stdout.startswith("NOTICE: pip-audit skipped")
