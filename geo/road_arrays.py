"""The road network as arrays for the travel-time engine, and the local metric projection. Pure."""

from __future__ import annotations

import dataclasses
import math
import operator
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import overload

import numpy as np
import numpy.typing as npt

from geo.network import (
    EARTH_RADIUS_M,
    RoadNetwork,
    TurnRestriction,
    line_length_m,
    minutes_for,
    speed_for,
)

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]
# Carriageways a point is snapped onto only when it is on them (``geo.engine``: within
# CARRIAGEWAY_SNAP_M): a crash on the expressway is a routine call, but a house beside the fenced
# road is reached by the ordinary road nearest to it.
UNSNAPPABLE_CLASSES = frozenset({"expressway", "motorway"})


def snappable(road_classes: Sequence[str]) -> BoolArray:
    """Which segments any nearby point may be snapped onto (the rest: only a point on them)."""
    return np.array([c not in UNSNAPPABLE_CLASSES for c in road_classes], dtype=np.bool_)


@dataclass(frozen=True)
class RoadArrays:
    """The network as arrays: nodes by index, segments by index (source/target are node indexes)."""

    node_lon: FloatArray
    node_lat: FloatArray
    seg_source: IntArray
    seg_target: IntArray
    seg_minutes: FloatArray
    seg_length_m: FloatArray
    seg_oneway: BoolArray
    seg_coords: Sequence[FloatArray]  # each (k, 2) lon/lat from source to target
    version: int = 0
    seg_snappable: BoolArray | None = None  # False: only a point on it snaps here (expressways)
    # Turn restrictions, one per index: from segment, via node, to segment, and whether it is an
    # ``only_*`` restriction (True) or a ``no_*`` one (False).
    turn_from: IntArray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    turn_via: IntArray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    turn_to: IntArray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    turn_only: BoolArray = field(default_factory=lambda: np.zeros(0, dtype=np.bool_))

    @classmethod
    def from_network(cls, network: RoadNetwork, speeds: dict[str, float]) -> RoadArrays:
        """Arrays of a plain network, with lengths and minutes from the speed table."""
        lengths = np.array([line_length_m(s.coords) for s in network.segments], dtype=np.float64)
        minutes = np.array(
            [
                minutes_for(length, speed_for(s, speeds))
                for s, length in zip(network.segments, lengths, strict=True)
            ],
            dtype=np.float64,
        )
        return cls(
            node_lon=np.array([n[0] for n in network.nodes], dtype=np.float64),
            node_lat=np.array([n[1] for n in network.nodes], dtype=np.float64),
            seg_source=np.array([s.source for s in network.segments], dtype=np.int64),
            seg_target=np.array([s.target for s in network.segments], dtype=np.int64),
            seg_minutes=minutes,
            seg_length_m=lengths,
            seg_oneway=np.array([s.oneway for s in network.segments], dtype=np.bool_),
            seg_coords=[np.array(s.coords, dtype=np.float64) for s in network.segments],
            seg_snappable=snappable([s.road_class for s in network.segments]),
        ).with_turns(network.restrictions)

    def with_turns(self, restrictions: Sequence[TurnRestriction]) -> RoadArrays:
        """These arrays with the given turn restrictions."""
        return dataclasses.replace(
            self,
            turn_from=np.array([r.from_segment for r in restrictions], dtype=np.int64),
            turn_via=np.array([r.via_node for r in restrictions], dtype=np.int64),
            turn_to=np.array([r.to_segment for r in restrictions], dtype=np.int64),
            turn_only=np.array([r.only for r in restrictions], dtype=np.bool_),
        )


class SegmentCoords(Sequence[FloatArray]):
    """Every segment's lon/lat polyline in one flat (m, 2) array: segment j is
    ``points[offsets[j]:offsets[j + 1]]``. A sequence of views: no per-segment Python objects
    (issue 15: a province has over a million segments), and the arrays can be memory-mapped."""

    def __init__(self, points: FloatArray, offsets: IntArray) -> None:
        if len(offsets) == 0 or int(offsets[-1]) != len(points):
            raise ValueError("the offsets do not match the points")
        self.points, self.offsets = points, offsets

    @classmethod
    def of(cls, coords: Sequence[FloatArray]) -> SegmentCoords:
        """The flat form of any sequence of polylines (itself if it is flat already)."""
        if isinstance(coords, SegmentCoords):
            return coords
        sizes = np.fromiter((len(c) for c in coords), dtype=np.int64, count=len(coords))
        offsets = np.concatenate([[0], np.cumsum(sizes)]).astype(np.int64)
        points = (
            np.concatenate([np.asarray(c, dtype=np.float64).reshape(-1, 2) for c in coords])
            if len(coords)
            else np.zeros((0, 2), dtype=np.float64)
        )
        return cls(points, offsets)

    def __len__(self) -> int:
        return len(self.offsets) - 1

    @overload
    def __getitem__(self, index: int) -> FloatArray: ...

    @overload
    def __getitem__(self, index: slice) -> list[FloatArray]: ...

    def __getitem__(self, index: int | slice) -> FloatArray | list[FloatArray]:
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self)))]
        j = operator.index(index)
        if j < 0:
            j += len(self)
        if not 0 <= j < len(self):
            raise IndexError(index)
        return self.points[self.offsets[j] : self.offsets[j + 1]]


class LocalProjection:
    """Equirectangular metres around the network's centre: good to ~0.1% across a county."""

    def __init__(self, lon0: float, lat0: float) -> None:
        self.lon0, self.lat0 = lon0, lat0
        self.kx = math.radians(1.0) * EARTH_RADIUS_M * math.cos(math.radians(lat0))
        self.ky = math.radians(1.0) * EARTH_RADIUS_M

    def forward(self, lon: FloatArray, lat: FloatArray) -> tuple[FloatArray, FloatArray]:
        return (lon - self.lon0) * self.kx, (lat - self.lat0) * self.ky

    def inverse(self, x: FloatArray, y: FloatArray) -> tuple[FloatArray, FloatArray]:
        return x / self.kx + self.lon0, y / self.ky + self.lat0
