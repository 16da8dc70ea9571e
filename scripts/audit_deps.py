"""Audit the installed environment for known vulnerabilities with pip-audit (``make audit``).

The advisory data comes from PyPI's JSON API (pip-audit's ``pypi`` service: the only one
reachable where only PyPI is). When it cannot be reached, the audit is skipped with a clear
notice and exit 0 (an offline machine is not a failed check); when it is reached, any known
vulnerability fails with exit 1 and is listed with its fixed versions.

Environment: ``INFOFIRST_AUDIT_PROBE_URL`` (default PyPI's JSON API for pip) is what is probed
first, ``INFOFIRST_AUDIT_TIMEOUT`` the seconds allowed to the probe and to each of pip-audit's
requests (default 10).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

PROBE_URL = "https://pypi.org/pypi/pip/json"
NETWORK_WORDS = ("ConnectionError", "ConnectTimeout", "ReadTimeout", "Max retries", "resolve")


def reachable(url: str, timeout: float) -> bool:
    """Whether the advisory service answers at all within the timeout."""
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:  # noqa: S310 - https URL
            return bool(200 <= response.status < 500)
    except (urllib.error.URLError, OSError, ValueError):
        return False


def vulnerable(report: dict[str, Any]) -> list[str]:
    """One line per known vulnerability in a pip-audit JSON report."""
    lines = []
    for dependency in report.get("dependencies", []):
        for vuln in dependency.get("vulns", []):
            fixed = ", ".join(vuln.get("fix_versions", [])) or "no fixed version yet"
            lines.append(
                f"{dependency['name']} {dependency['version']}: {vuln['id']} (fixed: {fixed})"
            )
    return lines


def verdict(returncode: int, report_text: str, stderr: str) -> tuple[int, str]:
    """The exit code and message for a pip-audit run's outcome."""
    try:
        report: dict[str, Any] = json.loads(report_text) if report_text.strip() else {}
    except ValueError:
        report = {}
    found = vulnerable(report)
    if found:
        return 1, "known vulnerabilities:\n  " + "\n  ".join(found)
    if returncode == 0:
        count = len(report.get("dependencies", []))
        return 0, f"pip-audit: no known vulnerabilities in {count} installed packages"
    if any(word in stderr for word in NETWORK_WORDS):
        return 0, "NOTICE: pip-audit skipped, the advisory service stopped answering"
    return 1, f"pip-audit failed (exit {returncode}):\n{stderr[-2000:]}"


def main() -> int:
    timeout = float(os.environ.get("INFOFIRST_AUDIT_TIMEOUT", "10"))
    probe = os.environ.get("INFOFIRST_AUDIT_PROBE_URL", PROBE_URL)
    if not reachable(probe, timeout):
        print(f"NOTICE: pip-audit skipped, the advisory service ({probe}) cannot be reached")
        return 0
    pip_audit = Path(sys.executable).with_name("pip-audit")
    command = [
        str(pip_audit), "--vulnerability-service", "pypi", "--skip-editable",
        "--progress-spinner", "off", "--timeout", str(int(timeout)), "--format", "json",
    ]  # fmt: skip
    try:
        run = subprocess.run(command, capture_output=True, text=True, timeout=600, check=False)  # noqa: S603
    except subprocess.TimeoutExpired:
        print("NOTICE: pip-audit skipped, the advisory service answered too slowly")
        return 0
    code, message = verdict(run.returncode, run.stdout, run.stderr)
    print(message)
    return code


if __name__ == "__main__":
    sys.exit(main())
