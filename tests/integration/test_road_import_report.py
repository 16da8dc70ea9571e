"""What ``infofirst import roads`` says: the report on the Chengdu extract (against an
independent pyosmium count and the engine over the stored network), and the service-area rule
(a network wholly outside is refused and changes nothing; one partly outside is imported with a
warning)."""

from __future__ import annotations

import asyncio
import itertools
import json
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

import osmium
import pyproj
import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, async_sessionmaker

from dispatch.settings import get_settings
from geo.road_store import load_network_arrays
from geo.runtime import engine_from_store
from tests.conftest import CHENGDU_PBF
from tests.integration.road_import_helpers import run_cli, write_lines

# The OSM rules written out afresh: the drivable highway tags, and what closes a way to cars.
DRIVABLE = {
    *("motorway", "trunk", "primary", "secondary", "tertiary"),
    *("motorway_link", "trunk_link", "primary_link", "secondary_link", "tertiary_link"),
    *("unclassified", "residential", "living_street", "service", "road"),
}
SPHERE = pyproj.Geod(a=6_371_008.8, b=6_371_008.8)


def outcome(tags: dict[str, str]) -> str:
    """Kept, or why the way is dropped (the first reason that applies)."""
    if tags["highway"] not in DRIVABLE:
        return "not_drivable_class"
    if tags.get("area") == "yes":
        return "area"
    if tags.get("service") in ("parking_aisle", "driveway"):
        return "parking_aisle_or_driveway"
    for key in ("motorcar", "motor_vehicle", "vehicle", "access"):
        if key in tags:
            return "closed_to_cars" if tags[key] in ("no", "private") else "kept"
    return "kept"


def independent_count(path: Path) -> tuple[Counter[tuple[str, str]], dict[tuple[str, str], float]]:
    """Ways and metres per (highway tag, outcome), from a pass of our own over the file."""
    ways: Counter[tuple[str, str]] = Counter()
    metres: dict[tuple[str, str], float] = defaultdict(float)
    for way in osmium.FileProcessor(str(path)).with_locations():
        if not isinstance(way, osmium.osm.Way) or "highway" not in way.tags:
            continue
        tags = {tag.k: tag.v for tag in way.tags}
        key = (tags["highway"], outcome(tags))
        ways[key] += 1
        located = [(n.lon, n.lat) if n.location.valid() else None for n in way.nodes]
        for a, b in itertools.pairwise(located):
            if a is not None and b is not None:
                metres[key] += SPHERE.line_length([a[0], b[0]], [a[1], b[1]])
    return ways, metres


async def road_state(connection: AsyncConnection) -> tuple[Any, ...]:
    """The committed network's version, source and a digest of its segments."""
    version, source = (
        await connection.execute(text("SELECT version, source FROM road_network"))
    ).one()
    digest = await connection.scalar(
        text(
            "SELECT md5(string_agg(id || ':' || ST_AsText(geometry), ',' ORDER BY id))"
            " FROM road_segments"
        )
    )
    return version, source, digest


async def test_chengdu_report_counts_ways_fragments_and_unreachable_points(
    saved_roads: AsyncEngine, tmp_path: Path
) -> None:
    """The report's ways per tag and reason equal an independent count; its islands are the
    engine's non-main segments of the stored network; the demo county's facilities and places,
    hundreds of km away, are all too far from Chengdu's roads."""
    report_path = tmp_path / "report.json"
    result = await asyncio.to_thread(
        run_cli, "import", "roads", str(CHENGDU_PBF), "--json", str(report_path)
    )
    assert 0 == result.exit_code, result.output
    report = json.loads(report_path.read_text())
    ways, metres = independent_count(CHENGDU_PBF)
    assert ways == {(w["tag"], w["outcome"]): w["ways"] for w in report["ways"]}
    for line in report["ways"]:
        key = (line["tag"], line["outcome"])
        assert metres[key] == pytest.approx(line["length_m"], rel=1e-6, abs=1e-6)
    assert {"kept", "not_drivable_class", "closed_to_cars", "area"} <= set(ways_outcomes(ways))

    settings = get_settings()
    async with async_sessionmaker(saved_roads)() as db:
        arrays = await load_network_arrays(db)
        facilities = await db.scalar(text("SELECT count(*) FROM facilities"))
        places = await db.scalar(text("SELECT count(*) FROM places"))
    engine = engine_from_store(arrays, settings.access_speed_kmh, settings.max_snap_m)
    islands = ~engine.in_main_component
    fragments = report["fragments"]
    assert float(arrays.seg_length_m[islands].sum()) == pytest.approx(fragments["island_m"])
    assert int(islands.sum()) == fragments["island_segments"]
    assert float(arrays.seg_length_m.sum()) == pytest.approx(fragments["length_m"])
    kept = sum(line["length_m"] for line in report["ways"] if line["outcome"] == "kept")
    assert kept == pytest.approx(fragments["length_m"], rel=1e-9)
    assert 1 < fragments["weak"] < fragments["strong"]
    reach = {r["what"]: r for r in report["reach"]}
    assert facilities
    assert places
    assert {"total": facilities, "on_island": 0, "beyond_snap": facilities} == pick(
        reach["facilities"], "total", "on_island", "beyond_snap"
    )
    assert {"total": places, "on_island": 0, "beyond_snap": places} == pick(
        reach["places"], "total", "on_island", "beyond_snap"
    )
    output = " ".join(result.output.split())
    assert "Ways read, per highway tag" in output
    assert "footway │ not drivable class" in output
    share = fragments["island_m"] / fragments["length_m"]
    assert f"{fragments['island_segments']} segments, {fragments['island_m'] / 1000:.1f} km" in (
        output
    )
    assert f"({share:.1%})" in output
    assert f"facilities │ {facilities} │ 0 │ {facilities} │ {facilities} (100.0%)" in output


def ways_outcomes(ways: Counter[tuple[str, str]]) -> set[str]:
    return {key[1] for key in ways}


def pick(row: dict[str, Any], *keys: str) -> dict[str, Any]:
    return {key: row[key] for key in keys}


async def test_a_network_outside_the_service_area_is_refused_and_changes_nothing(
    saved_roads: AsyncEngine, tmp_path: Path
) -> None:
    """A network in Paris against the default area (China): exit 1, the boxes and the setting
    named, the stored network untouched."""
    path = write_lines(
        tmp_path / "paris.geojson",
        [([[2.35, 48.85], [2.36, 48.85], [2.37, 48.86]], {"road_class": "county"})],
    )
    async with saved_roads.connect() as connection:
        before = await road_state(connection)
    result = await asyncio.to_thread(run_cli, "import", "roads", str(path))
    output = " ".join(result.output.split())
    assert 1 == result.exit_code, result.output
    assert "nothing imported: the network (lon 2.35..2.37, lat 48.85..48.86)" in output
    assert "wholly outside the service area (lon 73..136, lat 3..54)" in output
    assert "Set INFOFIRST_SERVICE_AREA" in output
    assert "imported" not in output.replace("nothing imported", "")
    async with saved_roads.connect() as connection:
        assert before == await road_state(connection)


async def test_a_network_partly_outside_the_service_area_is_imported_with_a_warning(
    saved_roads: AsyncEngine, tmp_path: Path
) -> None:
    """One of four nodes and the eastern kilometre outside a narrowed area: imported, and the
    warning says how much lies outside."""
    path = write_lines(
        tmp_path / "roads.geojson",
        [
            ([[114.80, 33.40], [114.81, 33.40], [114.82, 33.40]], {"road_class": "county"}),
            ([[114.81, 33.39], [114.81, 33.40]], {"road_class": "village"}),
        ],
    )
    async with saved_roads.connect() as connection:
        version = (await road_state(connection))[0]
    area = {"INFOFIRST_SERVICE_AREA": "[114.0, 33.0, 114.812, 34.0]"}
    result = await asyncio.to_thread(run_cli, "import", "roads", str(path), env=area)
    output = " ".join(result.output.split())
    assert 0 == result.exit_code, result.output
    east = SPHERE.line_length([114.81, 114.82], [33.40, 33.40])
    total = east * 2 + SPHERE.line_length([114.81, 114.81], [33.39, 33.40])
    assert (
        f"warning: 25.0% of the nodes (1 of 4) and {east / total:.1%} of the road length"
        f" ({east / 1000:.1f} of {total / 1000:.1f} km) lie outside the service area"
        " (lon 114..114.812, lat 33..34)"
    ) in output
    async with saved_roads.connect() as connection:
        assert (version + 1, "roads.geojson") == (await road_state(connection))[:2]
