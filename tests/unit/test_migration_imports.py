"""Migrations import no application code: a migration keeps working whatever the app becomes.

Only ``migrations/env.py`` may import the app's table metadata (``dispatch.tables``) and the
settings class (the database URL).
"""

from __future__ import annotations

import ast
from pathlib import Path

MIGRATIONS = Path(__file__).resolve().parents[2] / "migrations"
APP_PACKAGES = {"dispatch", "alerts", "units", "geo"}
ENV_ALLOWED = {"dispatch.tables", "dispatch.settings", "geo.orm"}


def imported(path: Path) -> set[str]:
    """Every module the file imports, at any depth (inside functions too)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
    return found


def test_no_migration_imports_the_application() -> None:
    """No file of migrations/versions imports dispatch, alerts, units or geo."""
    offending = {
        path.name: sorted(m for m in imported(path) if m.split(".")[0] in APP_PACKAGES)
        for path in sorted((MIGRATIONS / "versions").glob("*.py"))
    }
    assert {} == {name: found for name, found in offending.items() if found}


def test_env_imports_only_the_table_metadata_and_settings() -> None:
    """migrations/env.py imports the tables' metadata and the settings, nothing else of ours."""
    ours = {m for m in imported(MIGRATIONS / "env.py") if m.split(".")[0] in APP_PACKAGES}
    assert ours <= ENV_ALLOWED
