"""Reading point files (GeoJSON, GeoPackage, CSV) into plain records, through geopandas.

Reading never judges the attributes: it reports, per row, the point in WGS84 (or why there is
none) and the row's properties as plain values. The caller validates and imports.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

from geo.exceptions import ImportRejected, RowProblem

LON_COLUMNS = ("lon", "lng", "longitude", "x")
LAT_COLUMNS = ("lat", "latitude", "y")
VECTOR_SUFFIXES = (".geojson", ".json", ".gpkg")


@dataclass(frozen=True)
class PointRecord:
    """One data row: its 1-based number, its point (or a problem), and its other values."""

    row: int
    lon: float | None
    lat: float | None
    properties: dict[str, Any] = field(default_factory=dict)
    problem: str | None = None


def _plain(value: Any) -> Any:
    if value is None:
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, np.ndarray | list | tuple):  # a GeoJSON array, e.g. capabilities
        return [_plain(item) for item in value]
    if hasattr(value, "item"):
        return value.item()
    return value


def read_points(path: Path) -> list[PointRecord]:
    """The file's rows as point records; ImportRejected if the file itself cannot be read."""
    suffix = path.suffix.lower()
    try:
        if suffix == ".csv":
            return _read_csv(path)
        if suffix in VECTOR_SUFFIXES:
            return _read_vector(path)
    except (OSError, ValueError, RuntimeError) as exc:
        raise ImportRejected([RowProblem(0, f"cannot read {path.name}: {exc}")]) from exc
    raise ImportRejected(
        [RowProblem(0, f"unsupported file type {suffix!r}: use .geojson, .gpkg or .csv")]
    )


def _read_vector(path: Path) -> list[PointRecord]:
    frame = gpd.read_file(path)
    if frame.crs is None:
        if path.suffix.lower() == ".gpkg":
            raise ValueError("the layer has no coordinate reference system")
        frame = frame.set_crs(4326)  # GeoJSON is WGS84 by definition (RFC 7946)
    elif frame.crs.to_epsg() != 4326:
        frame = frame.to_crs(4326)
    records = []
    columns = [c for c in frame.columns if c != frame.geometry.name]
    for number, (_, row) in enumerate(frame.iterrows(), start=1):
        properties = {c: _plain(row[c]) for c in columns}
        geometry = row[frame.geometry.name]
        if geometry is None or geometry.is_empty:
            records.append(PointRecord(number, None, None, properties, "the row has no geometry"))
        elif geometry.geom_type != "Point":
            problem = f"the geometry must be a Point, not a {geometry.geom_type}"
            records.append(PointRecord(number, None, None, properties, problem))
        else:
            records.append(PointRecord(number, float(geometry.x), float(geometry.y), properties))
    return records


def _find(columns: list[str], names: tuple[str, ...]) -> str | None:
    lowered = {c.lower().strip(): c for c in columns}
    return next((lowered[name] for name in names if name in lowered), None)


def _read_csv(path: Path) -> list[PointRecord]:
    frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    columns = [str(c) for c in frame.columns]
    lon_column, lat_column = _find(columns, LON_COLUMNS), _find(columns, LAT_COLUMNS)
    if lon_column is None or lat_column is None:
        raise ValueError(f"a CSV needs lon and lat columns; it has {', '.join(columns)}")
    records = []
    for number, (_, row) in enumerate(frame.iterrows(), start=1):
        properties = {
            c: (row[c].strip() or None) for c in columns if c not in (lon_column, lat_column)
        }
        try:
            lon, lat = float(row[lon_column]), float(row[lat_column])
        except ValueError:
            problem = f"lon {row[lon_column]!r} / lat {row[lat_column]!r} are not numbers"
            records.append(PointRecord(number, None, None, properties, problem))
            continue
        records.append(PointRecord(number, lon, lat, properties))
    return records
