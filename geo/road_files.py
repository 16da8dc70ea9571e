"""Reading road lines from GeoJSON or GeoPackage into a ``RoadNetwork``, through geopandas.

Each row is a LineString or MultiLineString (each part a road of its own), reprojected to
WGS84 (a GeoJSON without a CRS is WGS84 by definition; a GeoPackage layer must have one).
Columns, matched case-insensitively:

- ``road_class`` (or ``class``, ``highway``, ``fclass``): a Chinese road class (expressway,
  national, provincial, county, township, village, also written 高速, 国道, 省道, 县道, 乡道,
  村道) or an OSM highway tag; it must be a class of the speed table;
- ``oneway`` (optional): true/false, yes/no, 1/0, or -1 (one-way against the drawing direction,
  stored reversed);
- ``name`` (or ``name_zh``, ``name:zh``), ``speed_kmh`` (or ``maxspeed``), both optional.

Nodes are made at line ends and wherever lines share a vertex (coordinates rounded to 1e-7
degree), and lines are split there. Every bad row is reported (1-based, in file order) in one
ImportRejected: a file is imported whole or not at all.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Collection
from pathlib import Path
from typing import Any

from geo.exceptions import ImportRejected, RowProblem
from geo.network import DEFAULT_SPEEDS_KMH, RoadNetwork, line_length_m
from geo.osm import WayPiece, WayTally, build_network, parse_maxspeed, read_osm

LINE_SUFFIXES = (".geojson", ".json", ".gpkg")
OSM_SUFFIXES = (".osm.pbf", ".pbf", ".osm", ".osm.gz", ".osm.bz2")
CLASS_COLUMNS = ("road_class", "class", "highway", "fclass")
NAME_COLUMNS = ("name_zh", "name:zh", "name")
SPEED_COLUMNS = ("speed_kmh", "maxspeed")
ONEWAY_COLUMNS = ("oneway",)
ROUNDING = 7  # decimal places of a degree: vertices equal at 1e-7° are the same node
CHINESE_CLASSES = {
    "高速": "expressway",
    "高速公路": "expressway",
    "国道": "national",
    "省道": "provincial",
    "县道": "county",
    "乡道": "township",
    "村道": "village",
}
ONEWAY_VALUES: dict[str, tuple[bool, bool]] = {  # value → (one-way, reversed)
    "yes": (True, False),
    "true": (True, False),
    "1": (True, False),
    "-1": (True, True),
    "no": (False, False),
    "false": (False, False),
    "0": (False, False),
    "": (False, False),
}


def read_road_file(
    path: Path,
    progress: Callable[[int], None] | None = None,
    classes: Collection[str] = DEFAULT_SPEEDS_KMH,
    tally: WayTally | None = None,
) -> RoadNetwork:
    """Any road file, by its name: OSM (``progress`` gets the ways read) or a line layer;
    ``tally`` is told of every way (OSM) or row (a line layer) read, kept or dropped."""
    name = path.name.lower()
    if name.endswith(OSM_SUFFIXES):
        return read_osm(path, progress, tally)
    if name.endswith(LINE_SUFFIXES):
        return read_road_lines(path, classes, tally)
    kinds = ", ".join(OSM_SUFFIXES + LINE_SUFFIXES)
    raise ImportRejected([RowProblem(0, f"unsupported file type {path.name!r}: use {kinds}")])


def read_road_lines(
    path: Path, classes: Collection[str] = DEFAULT_SPEEDS_KMH, tally: WayTally | None = None
) -> RoadNetwork:
    """The road network drawn in a GeoJSON or GeoPackage line layer; ``classes`` are the road
    classes accepted (the speed table's), ``tally`` is told of each good row (all are kept).
    ImportRejected lists every bad row."""
    import geopandas as gpd  # imported here: geopandas is slow to import and only files need it

    suffix = path.suffix.lower()
    if suffix not in LINE_SUFFIXES:
        problem = f"unsupported file type {suffix!r}: use .geojson, .json or .gpkg"
        raise ImportRejected([RowProblem(0, problem)])
    try:
        frame = gpd.read_file(path)
        if frame.crs is None:
            if suffix == ".gpkg":
                raise ValueError("the layer has no coordinate reference system")
            frame = frame.set_crs(4326)  # GeoJSON is WGS84 by definition (RFC 7946)
        elif frame.crs.to_epsg() != 4326:
            frame = frame.to_crs(4326)
    except (OSError, ValueError, RuntimeError) as exc:
        raise ImportRejected([RowProblem(0, f"cannot read {path.name}: {exc}")]) from exc
    columns = [str(c) for c in frame.columns if c != frame.geometry.name]
    class_column = _find(columns, CLASS_COLUMNS)
    if class_column is None:
        wanted = ", ".join(CLASS_COLUMNS)
        raise ImportRejected([RowProblem(0, f"no road class column (one of {wanted})")])
    name_column = _find(columns, NAME_COLUMNS)
    speed_column = _find(columns, SPEED_COLUMNS)
    oneway_column = _find(columns, ONEWAY_COLUMNS)
    pieces: list[WayPiece] = []
    problems: list[RowProblem] = []
    for number, (geometry, row) in enumerate(
        zip(frame.geometry, frame.to_dict("records"), strict=True), start=1
    ):
        try:
            road_class = _road_class(row[class_column], classes)
            oneway, reverse = _oneway(row[oneway_column] if oneway_column else None)
            speed = _speed(row[speed_column] if speed_column else None)
            name = _text(row[name_column]) if name_column else ""
            lines = _lines(geometry)
        except ValueError as exc:
            problems.append(RowProblem(number, str(exc)))
            continue
        if tally is not None:
            tally(road_class, None, sum(line_length_m(coords) for coords in lines))
        for coords in lines:  # already rounded: a vertex's coordinates are its node's key
            pieces.append(WayPiece(coords, coords, road_class, oneway, reverse, name, None, speed))
    if problems:
        raise ImportRejected(problems)
    network = build_network(pieces, source=path.name)
    if not network.segments:
        raise ImportRejected([RowProblem(0, f"{path.name} has no road line")])
    return network


def _find(columns: list[str], names: tuple[str, ...]) -> str | None:
    lowered = {c.lower().strip(): c for c in columns}
    return next((lowered[name] for name in names if name in lowered), None)


def _missing(value: Any) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def _text(value: Any) -> str:
    return "" if _missing(value) else str(value).strip()


def _road_class(value: Any, classes: Collection[str]) -> str:
    text = _text(value)
    if not text:
        raise ValueError("no road class")
    road_class = CHINESE_CLASSES.get(text, text.lower())
    if road_class not in classes:
        raise ValueError(f"unknown road class {text!r}")
    return road_class


def _oneway(value: Any) -> tuple[bool, bool]:
    if _missing(value):
        return False, False
    if isinstance(value, bool):  # numpy bools compare equal to True/False too
        return value, False
    if isinstance(value, int | float) and float(value).is_integer():
        value = int(value)
    result = ONEWAY_VALUES.get(str(value).strip().lower())
    if result is None:
        raise ValueError(f"oneway {value!r} is not yes, no, true, false, 1, 0 or -1")
    return result


def _speed(value: Any) -> float | None:
    if _missing(value) or value == "":
        return None
    if isinstance(value, int | float):
        if not math.isfinite(value) or value <= 0:
            raise ValueError(f"speed {value!r} is not a positive number")
        return float(value)
    speed = parse_maxspeed(str(value))
    if speed is None:
        raise ValueError(f"speed {value!r} is not a positive number of km/h")
    return speed


def _lines(geometry: Any) -> list[list[tuple[float, float]]]:
    """The lon/lat points (rounded to 1e-7°) of each line of a LineString or MultiLineString."""
    if geometry is None or geometry.is_empty:
        raise ValueError("the row has no geometry")
    if geometry.geom_type == "LineString":
        parts = [geometry]
    elif geometry.geom_type == "MultiLineString":
        parts = list(geometry.geoms)
    else:
        raise ValueError(f"the geometry must be a LineString, not a {geometry.geom_type}")
    lines = []
    for part in parts:
        coords = [
            (round(float(x), ROUNDING), round(float(y), ROUNDING)) for x, y, *_ in part.coords
        ]
        if not all(-180 <= x <= 180 and -90 <= y <= 90 for x, y in coords):  # NaN fails too
            raise ValueError("the line has a point outside lon -180..180, lat -90..90")
        if len(set(coords)) < 2:
            raise ValueError("the line has fewer than two distinct points")
        lines.append(coords)
    return lines
