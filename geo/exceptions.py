"""Errors raised by the geo package.

GeoError
├── UnknownCoordinateSystem   a crs name that is not wgs84, gcj02 or bd09
├── InvalidCoordinate         NaN, infinite, out of range or outside the service area
├── InvalidTime               a reported time too far ahead of the server clock
├── ImportRejected            a file import refused: carries every bad row with its reason
├── OutsideMappedArea         a point too far from every mapped road to be routed
├── NoRoadNetwork             no road network is loaded yet
└── MissingLocation           a stored record without its point: a broken record, not bad
                              input, so it is left out of the problem table on purpose and
                              answers a 500 whose trace is logged (never a patient at 0,0)
"""

from __future__ import annotations

from dataclasses import dataclass


class GeoError(Exception):
    """Base of every geo error."""


class UnknownCoordinateSystem(GeoError):
    def __init__(self, name: str) -> None:
        super().__init__(f"unknown coordinate system {name!r}: use one of wgs84, gcj02, bd09")
        self.name = name


class InvalidCoordinate(GeoError):
    """A coordinate that cannot be a place on the ground here."""


class InvalidTime(GeoError):
    """A reported time that cannot be right (too far in the future)."""


@dataclass(frozen=True)
class RowProblem:
    row: int
    reason: str


class ImportRejected(GeoError):
    def __init__(self, problems: list[RowProblem]) -> None:
        self.problems = problems
        lines = "; ".join(f"row {p.row}: {p.reason}" for p in problems[:20])
        more = f" (and {len(problems) - 20} more)" if len(problems) > 20 else ""
        super().__init__(f"{len(problems)} bad row(s), nothing imported: {lines}{more}")


class OutsideMappedArea(GeoError):
    """A point farther from every road than the snapping limit."""


class NoRoadNetwork(GeoError):
    """Travel times were asked for before any road network was imported."""


class MissingLocation(GeoError):
    def __init__(self, what: str) -> None:
        super().__init__(f"{what} has no location: the stored record is broken")
        self.what = what
