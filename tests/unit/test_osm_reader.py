"""Reading road files into a network (no database): OSM XML and PBF, GeoJSON and GeoPackage lines.

The small files are written into ``tmp_path`` by the tests themselves.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import geopandas as gpd
import osmium
import pytest
from shapely.geometry import LineString

from geo.exceptions import ImportRejected, RowProblem
from geo.network import RoadNetwork
from geo.osm import is_drivable, oneway_of, parse_maxspeed, read_osm
from geo.road_files import read_road_file, read_road_lines

# OSM node id → (lon, lat): crossroads at 2, roads east to 6, roundabout 6-8-9, motorway to 11.
POINTS = {
    1: (104.000, 30.650),
    2: (104.010, 30.650),
    3: (104.020, 30.650),
    4: (104.010, 30.640),
    5: (104.010, 30.660),
    6: (104.030, 30.660),
    7: (104.020, 30.662),
    8: (104.035, 30.665),
    9: (104.040, 30.660),
    11: (104.060, 30.660),
    12: (104.000, 30.640),
    13: (104.010, 30.630),
}
# Way id → (node ids, tags).
WAYS: dict[int, tuple[list[int], dict[str, str]]] = {
    10: ([1, 2, 3], {"highway": "residential", "name": "Renmin Road", "name:zh": "人民路"}),
    11: ([4, 2, 5], {"highway": "tertiary", "name": "Shudu Avenue", "maxspeed": "40"}),
    12: ([3, 6], {"highway": "primary", "oneway": "yes", "maxspeed": "30 mph"}),
    13: ([5, 7, 6], {"highway": "secondary", "oneway": "-1"}),
    14: ([6, 8, 9, 6], {"highway": "unclassified", "junction": "roundabout"}),
    15: ([9, 11], {"highway": "motorway"}),
    16: ([1, 12], {"highway": "footway"}),
    17: ([4, 13], {"highway": "residential", "access": "private"}),
    18: ([13, 12], {"highway": "service", "service": "parking_aisle"}),
}


def osm_xml(points: dict[int, tuple[float, float]], ways: dict[int, Any]) -> str:
    """An OSM XML document with these nodes and ways."""
    lines = ['<?xml version="1.0" encoding="UTF-8"?>', '<osm version="0.6" generator="test">']
    for node_id, (lon, lat) in points.items():
        lines.append(f'  <node id="{node_id}" version="1" lat="{lat}" lon="{lon}"/>')
    for way_id, (refs, tags) in ways.items():
        lines.append(f'  <way id="{way_id}" version="1">')
        lines.extend(f'    <nd ref="{ref}"/>' for ref in refs)
        lines.extend(f'    <tag k="{key}" v="{value}"/>' for key, value in tags.items())
        lines.append("  </way>")
    lines.append("</osm>")
    return "\n".join(lines)


@pytest.fixture
def crossroads(tmp_path: Path) -> Path:
    """The small town of ``POINTS`` and ``WAYS`` as an .osm file."""
    path = tmp_path / "town.osm"
    path.write_text(osm_xml(POINTS, WAYS), encoding="utf-8")
    return path


def described(network: RoadNetwork) -> list[tuple[Any, ...]]:
    """Each segment as (source osm id, target osm id, vertex osm ids, class, one-way, speed)."""
    by_point = {point: node_id for node_id, point in POINTS.items()}
    ids = network.node_osm_ids
    return [
        (
            ids[s.source],
            ids[s.target],
            [by_point[point] for point in s.coords],
            s.road_class,
            s.oneway,
            None if s.speed_kmh is None else round(s.speed_kmh, 2),
        )
        for s in network.segments
    ]


def test_osm_ways_are_split_at_intersections_with_direction_and_speed(crossroads: Path) -> None:
    """Ways split at shared nodes; one-way, reversed, roundabout and motorway ways run forwards."""
    network = read_osm(crossroads)
    assert [
        (1, 2, [1, 2], "residential", False, None),
        (2, 3, [2, 3], "residential", False, None),
        (4, 2, [4, 2], "tertiary", False, 40.0),
        (2, 5, [2, 5], "tertiary", False, 40.0),
        (3, 6, [3, 6], "primary", True, 48.28),
        (6, 5, [6, 7, 5], "secondary", True, None),
        (6, 9, [6, 8, 9], "unclassified", True, None),
        (9, 6, [9, 6], "unclassified", True, None),
        (9, 11, [9, 11], "motorway", True, None),
    ] == described(network)


def test_osm_nodes_are_the_used_junctions_and_ends_only(crossroads: Path) -> None:
    """Nodes are numbered in order of first use; skipped ways and inner vertices make none."""
    network = read_osm(crossroads)
    assert [1, 2, 3, 4, 5, 6, 9, 11] == network.node_osm_ids
    assert [POINTS[i] for i in (1, 2, 3, 4, 5, 6, 9, 11)] == network.nodes
    assert ("town.osm", False) == (network.source, network.synthetic)


def test_osm_names_prefer_chinese(crossroads: Path) -> None:
    """A way's name is its name:zh, else its name."""
    names = [segment.name for segment in read_osm(crossroads).segments]
    assert ["人民路", "人民路", "Shudu Avenue", "Shudu Avenue", "", "", "", "", ""] == names


def test_osm_pbf_reads_the_same_as_xml(crossroads: Path, tmp_path: Path) -> None:
    """The same data as .osm.pbf gives the same network as the XML."""
    pbf = tmp_path / "town.osm.pbf"
    with osmium.SimpleWriter(str(pbf)) as writer:
        for entity in osmium.FileProcessor(str(crossroads)):
            writer.add(entity)
    from_xml, from_pbf = read_osm(crossroads), read_osm(pbf)
    assert (from_xml.nodes, from_xml.segments) == (from_pbf.nodes, from_pbf.segments)
    assert "town.osm.pbf" == from_pbf.source


def test_osm_way_leaving_the_extract_keeps_its_located_part(tmp_path: Path) -> None:
    """A way whose nodes are partly missing from the file keeps the part that has locations."""
    path = tmp_path / "clipped.osm"
    ways = {20: ([1, 2, 3, 99], {"highway": "trunk"})}
    path.write_text(osm_xml({i: POINTS[i] for i in (1, 2, 3)}, ways), encoding="utf-8")
    assert [(1, 3, [1, 2, 3], "trunk", False, None)] == described(read_osm(path))


def test_osm_reports_progress(crossroads: Path) -> None:
    """The progress callback ends with the number of highway ways read."""
    seen: list[int] = []
    read_osm(crossroads, seen.append)
    assert len(WAYS) == seen[-1]


def test_osm_without_drivable_roads_is_rejected(tmp_path: Path) -> None:
    """A file with only footways is refused as a whole."""
    path = tmp_path / "paths.osm"
    path.write_text(osm_xml(POINTS, {16: WAYS[16]}), encoding="utf-8")
    with pytest.raises(ImportRejected) as rejected:
        read_osm(path)
    assert [RowProblem(0, "paths.osm has no drivable road")] == rejected.value.problems


def test_unreadable_osm_file_is_rejected(tmp_path: Path) -> None:
    """A file that is not OSM data is refused with the reason, as row 0."""
    path = tmp_path / "broken.osm.pbf"
    path.write_bytes(b"this is not a protobuf")
    with pytest.raises(ImportRejected) as rejected:
        read_osm(path)
    assert 0 == rejected.value.problems[0].row
    assert rejected.value.problems[0].reason.startswith("cannot read broken.osm.pbf")


@pytest.mark.parametrize(
    ("tags", "expected"),
    [
        ({"highway": "residential"}, True),
        ({"highway": "footway"}, False),
        ({"highway": "service", "service": "driveway"}, False),
        ({"highway": "service", "service": "alley"}, True),
        ({"highway": "pedestrian", "area": "yes"}, False),
        ({"highway": "residential", "area": "yes"}, False),
        ({"highway": "primary", "access": "no"}, False),
        ({"highway": "primary", "access": "destination"}, True),
        ({"highway": "primary", "access": "no", "motor_vehicle": "yes"}, True),
        ({"highway": "primary", "motorcar": "private"}, False),
    ],
)
def test_drivable_ways(tags: dict[str, str], expected: bool) -> None:
    """Drivable classes are kept unless an area, a car park lane or closed to cars."""
    assert expected == is_drivable(tags)


@pytest.mark.parametrize(
    ("tags", "expected"),
    [
        ({"highway": "primary"}, (False, False)),
        ({"highway": "primary", "oneway": "true"}, (True, False)),
        ({"highway": "primary", "oneway": "1"}, (True, False)),
        ({"highway": "primary", "oneway": "-1"}, (True, True)),
        ({"highway": "motorway"}, (True, False)),
        ({"highway": "motorway", "oneway": "no"}, (False, False)),
        ({"highway": "tertiary", "junction": "roundabout"}, (True, False)),
        ({"highway": "tertiary", "junction": "roundabout", "oneway": "no"}, (False, False)),
        ({"highway": "primary", "oneway": "reversible"}, (False, False)),
    ],
)
def test_oneway_tags(tags: dict[str, str], expected: tuple[bool, bool]) -> None:
    """oneway tags, and motorways and roundabouts, give (one-way, reversed)."""
    assert expected == oneway_of(tags)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("60", 60.0),
        ("60 km/h", 60.0),
        ("45.5", 45.5),
        ("30 mph", 48.28032),
        ("none", None),
        ("CN:urban", None),
        ("40;60", None),
        ("0", None),
        (None, None),
    ],
)
def test_maxspeed_values(value: str | None, expected: float | None) -> None:
    """Plain km/h and mph speeds are read; anything else leaves the class speed."""
    assert expected == parse_maxspeed(value)


def write_lines(path: Path, rows: list[tuple[dict[str, Any] | None, dict[str, Any]]]) -> Path:
    """A GeoJSON FeatureCollection of (geometry, properties) rows."""
    features = [
        {"type": "Feature", "geometry": geometry, "properties": properties}
        for geometry, properties in rows
    ]
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}))
    return path


def line(*points: tuple[float, float]) -> dict[str, Any]:
    """A GeoJSON LineString."""
    return {"type": "LineString", "coordinates": [list(p) for p in points]}


def test_lines_are_split_where_they_share_a_vertex(tmp_path: Path) -> None:
    """Two roads crossing at a shared vertex make five nodes and four segments."""
    path = write_lines(
        tmp_path / "cross.geojson",
        [
            (line((104.0, 30.6), (104.1, 30.6), (104.2, 30.6)), {"road_class": "national"}),
            (line((104.1, 30.5), (104.10000000004, 30.6), (104.1, 30.7)), {"road_class": "county"}),
        ],
    )
    network = read_road_lines(path)
    assert [(104.0, 30.6), (104.1, 30.6), (104.2, 30.6), (104.1, 30.5), (104.1, 30.7)] == (
        network.nodes
    )
    assert [(0, 1), (1, 2), (3, 1), (1, 4)] == [(s.source, s.target) for s in network.segments]
    assert ["national", "national", "county", "county"] == [s.road_class for s in network.segments]
    assert [None] * 5 == network.node_osm_ids


def test_multilinestring_parts_become_segments(tmp_path: Path) -> None:
    """Each part of a MultiLineString is a road; parts meeting at an end are joined there."""
    multi = {
        "type": "MultiLineString",
        "coordinates": [[[104.0, 30.6], [104.1, 30.6]], [[104.1, 30.6], [104.1, 30.7]]],
    }
    network = read_road_lines(write_lines(tmp_path / "m.geojson", [(multi, {"fclass": "乡道"})]))
    assert [(0, 1, "township"), (1, 2, "township")] == [
        (s.source, s.target, s.road_class) for s in network.segments
    ]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("yes", (True, False)),
        ("no", (False, False)),
        (True, (True, False)),
        (False, (False, False)),
        (1, (True, False)),
        (0, (False, False)),
        (-1, (True, True)),
        ("-1", (True, True)),
        (None, (False, False)),
    ],
)
def test_line_oneway_values(tmp_path: Path, value: Any, expected: tuple[bool, bool]) -> None:
    """oneway yes/no/true/false/1/0/-1 give (one-way, stored reversed)."""
    drawn = line((104.0, 30.6), (104.1, 30.6))
    path = write_lines(
        tmp_path / "o.geojson", [(drawn, {"road_class": "village", "oneway": value})]
    )
    (segment,) = read_road_lines(path).segments
    reversed_ = segment.coords == ((104.1, 30.6), (104.0, 30.6))
    assert expected == (segment.oneway, reversed_)


def test_line_names_and_speeds_are_read(tmp_path: Path) -> None:
    """name and speed_kmh (or maxspeed text) are carried onto the segments."""
    path = write_lines(
        tmp_path / "s.geojson",
        [
            (line((104.0, 30.6), (104.1, 30.6)), {"highway": "高速", "name": "成绵高速"}),
            (line((104.0, 30.7), (104.1, 30.7)), {"highway": "village", "maxspeed": "20 km/h"}),
        ],
    )
    segments = read_road_lines(path).segments
    assert [("expressway", "成绵高速", None), ("village", "", 20.0)] == [
        (s.road_class, s.name, s.speed_kmh) for s in segments
    ]


def test_projected_geopackage_is_reprojected_to_wgs84(tmp_path: Path) -> None:
    """A GeoPackage in UTM 48N comes back in lon/lat, within 1e-6 degree."""
    points = [(104.06, 30.65), (104.07, 30.66)]
    frame = gpd.GeoDataFrame(
        {"road_class": ["provincial"], "oneway": ["no"]},
        geometry=[LineString(points)],
        crs=4326,
    ).to_crs(32648)
    path = tmp_path / "utm.gpkg"
    frame.to_file(path, driver="GPKG")
    (segment,) = read_road_lines(path).segments
    assert points == [pytest.approx(point, abs=1e-6) for point in segment.coords]


def test_bad_rows_are_all_listed_with_their_numbers(tmp_path: Path) -> None:
    """Every bad row is reported (1-based) with its reason, and nothing is returned."""
    good = line((104.0, 30.6), (104.1, 30.6))
    point = {"type": "Point", "coordinates": [104.0, 30.6]}
    path = write_lines(
        tmp_path / "bad.geojson",
        [
            (good, {"road_class": "county"}),
            (None, {"road_class": "county"}),
            (point, {"road_class": "county"}),
            (good, {"road_class": "footway"}),
            (good, {"road_class": "county", "oneway": "maybe"}),
            (good, {"road_class": "county", "speed_kmh": "fast"}),
            (line((104.0, 30.6), (104.0, 30.6)), {"road_class": "county"}),
            (good, {"road_class": None}),
        ],
    )
    with pytest.raises(ImportRejected) as rejected:
        read_road_lines(path)
    assert [
        RowProblem(2, "the row has no geometry"),
        RowProblem(3, "the geometry must be a LineString, not a Point"),
        RowProblem(4, "unknown road class 'footway'"),
        RowProblem(5, "oneway 'maybe' is not yes, no, true, false, 1, 0 or -1"),
        RowProblem(6, "speed 'fast' is not a positive number of km/h"),
        RowProblem(7, "the line has fewer than two distinct points"),
        RowProblem(8, "no road class"),
    ] == rejected.value.problems


def test_lines_without_a_class_column_are_rejected(tmp_path: Path) -> None:
    """A layer with no road class column is refused as a whole."""
    path = write_lines(tmp_path / "n.geojson", [(line((104.0, 30.6), (104.1, 30.6)), {"x": 1})])
    with pytest.raises(ImportRejected) as rejected:
        read_road_lines(path)
    expected = "no road class column (one of road_class, class, highway, fclass)"
    assert [RowProblem(0, expected)] == rejected.value.problems


def test_road_files_are_read_by_their_kind(crossroads: Path, tmp_path: Path) -> None:
    """read_road_file reads OSM and line files by name and refuses other kinds."""
    lines = write_lines(
        tmp_path / "l.geojson", [(line((104.0, 30.6), (104.1, 30.6)), {"road_class": "county"})]
    )
    assert 9 == len(read_road_file(crossroads).segments)
    assert 1 == len(read_road_file(lines).segments)
    with pytest.raises(ImportRejected, match=r"unsupported file type 'roads\.csv'"):
        read_road_file(tmp_path / "roads.csv")
