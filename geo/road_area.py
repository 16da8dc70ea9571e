"""How a road network lies against the service area (``INFOFIRST_SERVICE_AREA``). Pure.

The server refuses every point outside the service area (422), so roads there serve nobody: an
import whose roads all lie outside it is refused, one partly outside is imported with a warning
saying how much lies outside (issue 15). A stretch of road between two vertices counts as
outside when its midpoint does.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass

from geo.network import RoadNetwork, haversine_m
from geo.points import BBox

AREA_SETTING = "INFOFIRST_SERVICE_AREA"


@dataclass(frozen=True)
class AreaFit:
    """The network's bounding box, and its nodes and length (metres) outside the area."""

    bbox: BBox
    area: BBox
    nodes: int
    nodes_outside: int
    vertices_inside: int
    length_m: float
    length_outside_m: float

    @property
    def wholly_outside(self) -> bool:
        """No vertex of any road lies in the area."""
        return self.vertices_inside == 0

    @property
    def partly_outside(self) -> bool:
        return not self.wholly_outside and (self.nodes_outside > 0 or self.length_outside_m > 0)


def _inside(lon: float, lat: float, area: BBox) -> bool:
    return area[0] <= lon <= area[2] and area[1] <= lat <= area[3]


def area_fit(network: RoadNetwork, area: BBox) -> AreaFit:
    """Where the network lies against ``area`` (min lon, min lat, max lon, max lat)."""
    points = [point for segment in network.segments for point in segment.coords]
    lons, lats = [p[0] for p in points], [p[1] for p in points]
    length = outside = 0.0
    for segment in network.segments:
        for a, b in itertools.pairwise(segment.coords):
            metres = haversine_m(*a, *b)
            length += metres
            if not _inside((a[0] + b[0]) / 2, (a[1] + b[1]) / 2, area):
                outside += metres
    return AreaFit(
        bbox=(min(lons), min(lats), max(lons), max(lats)),
        area=area,
        nodes=len(network.nodes),
        nodes_outside=sum(not _inside(lon, lat, area) for lon, lat in network.nodes),
        vertices_inside=sum(_inside(lon, lat, area) for lon, lat in points),
        length_m=length,
        length_outside_m=outside,
    )


def describe(box: BBox) -> str:
    """A box as "lon a..b, lat c..d"."""
    return f"lon {box[0]:g}..{box[2]:g}, lat {box[1]:g}..{box[3]:g}"


def refusal(fit: AreaFit) -> str:
    """Why a network wholly outside the area is not imported, and what to change."""
    low = [math.floor(v * 100) / 100 for v in fit.bbox[:2]]
    high = [math.ceil(v * 100) / 100 for v in fit.bbox[2:]]
    wanted = "[" + ",".join(f"{v:g}" for v in (*low, *high)) + "]"  # rounded outward to 0.01°
    return (
        f"the network ({describe(fit.bbox)}) lies wholly outside the service area"
        f" ({describe(fit.area)}): the server would refuse every point on it. Set {AREA_SETTING}"
        f" (min lon, min lat, max lon, max lat, JSON) to an area that holds it, e.g. {wanted}"
    )


def warning(fit: AreaFit) -> str:
    """How much of a network partly outside the area lies outside it."""
    node_share = fit.nodes_outside / fit.nodes if fit.nodes else 0.0
    length_share = fit.length_outside_m / fit.length_m if fit.length_m else 0.0
    return (
        f"{node_share:.1%} of the nodes ({fit.nodes_outside} of {fit.nodes}) and"
        f" {length_share:.1%} of the road length ({fit.length_outside_m / 1000:.1f} of"
        f" {fit.length_m / 1000:.1f} km) lie outside the service area ({describe(fit.area)});"
        f" the network spans {describe(fit.bbox)}. Points there are refused: widen {AREA_SETTING}"
        " to serve them"
    )
