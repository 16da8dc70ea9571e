"""Shared by the road import tests: running the command line, writing small line files."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from typer.testing import CliRunner

from dispatch.cli import app
from dispatch.settings import get_settings
from tests.conftest import TEST_DATABASE_URL


def run_cli(*args: str, env: dict[str, str] | None = None) -> Any:
    """Run ``infofirst`` on the test database with fresh settings (and ``env`` on top)."""
    get_settings.cache_clear()
    try:
        base = {"INFOFIRST_DATABASE_URL": TEST_DATABASE_URL, "INFOFIRST_ENV": "test"}
        return CliRunner().invoke(app, list(args), env=base | (env or {}))
    finally:
        get_settings.cache_clear()


def write_lines(path: Path, rows: list[tuple[list[list[float]] | None, dict[str, Any]]]) -> Path:
    """A GeoJSON FeatureCollection of LineString rows."""
    features = [
        {
            "type": "Feature",
            "geometry": None if line is None else {"type": "LineString", "coordinates": line},
            "properties": properties,
        }
        for line, properties in rows
    ]
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}))
    return path
