"""The synthetic road network of the demo county (合成演示路网). Pure: no I/O, and the same county
and seed always give an identical network.

A Henan plain network of long, nearly straight roads: an expressway from the city (north-west)
past the county town with three interchanges in the county, where short links join a national
or provincial road (the expressway is two one-way carriageways, entered only there); two national
roads crossing in the county town; provincial roads from the town to townships; county roads
between neighbouring townships (a pruned Delaunay triangulation); a street grid in the town;
township roads from each township centre out to its villages; and village roads to every
village and every facility, each of which is a node of the network. Every at-grade crossing is
a node (the roads are noded together), so the graph is one strongly connected component.
"""

from __future__ import annotations

import math
import random
from collections.abc import Sequence
from itertools import combinations, pairwise

import numpy as np
from scipy.spatial import Delaunay

from dispatch.demo.county import CENTRE_LAT, CENTRE_LON, DemoCounty, DemoPlace
from dispatch.demo.road_shapes import (
    SNAP_EPS_M,
    XY,
    EdgeIndex,
    LocalProjection,
    LonLat,
    Road,
    angle_between,
    bearing,
    field_road,
    insert_vertex,
    node_roads,
    offset_line,
    route,
    wiggle,
)
from geo.network import RoadNetwork, Segment
from units.vocabulary import FacilityKind

SOURCE = "synthetic demo roads (合成演示路网)"
ROAD_CLASSES = ("expressway", "national", "provincial", "county", "township", "village")
_RANK = {road_class: i for i, road_class in enumerate(ROAD_CLASSES)}
_MAJOR = ("national", "provincial")

# A waypoint is a township slug, "centre" (the county town), "city" (the city's road junction
# near the city hospital) or a point in km (east, north) of the county centre.
Waypoint = str | tuple[float, float]
NATIONAL_ROADS: tuple[tuple[str, tuple[Waypoint, ...]], ...] = (
    (
        "南北国道（演示）",
        ((1.5, 25.0), "fanji", "lizhai", "centre", "fuji", "zhangzhuang", (0.5, -29.0)),
    ),
    (
        "东西国道（演示）",
        ((-21.0, -3.5), "jialing", (-5.0, -0.3), "centre", (5.0, 0.3), "moling", "dingji",
         (24.0, -2.5)),
    ),
)  # fmt: skip
PROVINCIAL_ROADS: tuple[tuple[str, tuple[Waypoint, ...]], ...] = (
    ("项城—南顿—周口公路（演示）", ("lianhua", "sundian", "nandun", "city")),
    ("项城—新桥—三店公路（演示）", ("guangwu", "xinqiao", "sandian", (19.0, 20.0))),
    ("项城—高寺—王明口公路（演示）", ("qianfoge", "gaosi", "wangmingkou", (-10.0, -26.0))),
    ("项城—官会—郑郭公路（演示）", ("dongfang", "guanhui", "zhengguo", (12.0, -27.0))),
    ("官会—永丰公路（演示）", ("guanhui", "yongfeng", (22.0, -15.0))),
)
EXPRESSWAY_NAME = "高速公路（演示）"
EXPRESSWAY_BEND_KM = (-20.0, 17.0)  # a gentle bend between the city and the first interchange
INTERCHANGES_KM = ((-9.3, -0.9), (-1.6, -8.8), (11.0, -23.6))  # W, S and far SE of the town
CITY_TERMINUS_M = 3_000.0  # the expressway ends this far from the city hospital
CITY_JUNCTION_M = 150.0  # the city's road junction, this far from the city hospital
CARRIAGEWAY_OFFSET_M = 12.0
EXPRESSWAY_PIECE_M = 6_000.0  # the carriageways are cut into segments of about this length
# The county town's streets: x (or y) positions in metres and the span they cover.
TOWN_STREETS_X = (-2_500.0, -1_500.0, -500.0, 500.0, 1_500.0, 2_500.0, 3_500.0)
TOWN_STREETS_Y = (-2_500.0, -1_500.0, -500.0, 500.0, 1_500.0, 2_500.0, 3_500.0)
TOWN_SPAN_X = (-3_200.0, 4_200.0)
TOWN_SPAN_Y = (-3_200.0, 4_200.0)
TOWN_STREET_NAMES = ("人民路", "健康路", "建设路", "文明路", "团结路", "卫生路", "育新街", "交通路")
COUNTY_ROAD_MAX_M = 16_000.0
COUNTY_ROAD_CLEARANCE_M = 1_500.0  # skip a county road whose middle is this close to a road
TOWNSHIP_ROAD_MIN_M = 1_500.0
TOWNSHIP_ROAD_REACH = 0.8  # of the farthest village in its direction
TOWNSHIP_ROAD_GAP_DEG = 30.0  # no township road this close in direction to an existing road
VILLAGE_LINKS = 2  # roads from each village to its nearest neighbours ...
VILLAGE_LINK_MAX_M = 2_500.0  # ... closer than this
DIRECTIONS_ZH = ("东", "东北", "北", "西北", "西", "西南", "南", "东南")


def _km(p: tuple[float, float]) -> XY:
    return (p[0] * 1000.0, p[1] * 1000.0)


def _toward(a: XY, b: XY, metres: float) -> XY:
    """The point ``metres`` from a toward b."""
    d = math.hypot(b[0] - a[0], b[1] - a[1])
    return (a[0] + (b[0] - a[0]) * metres / d, a[1] + (b[1] - a[1]) * metres / d)


class _Layout:
    """The roads of the county laid out in the plane, in the order they are built."""

    def __init__(self, county: DemoCounty, rng: random.Random) -> None:
        self.rng = rng
        self.proj = LocalProjection(CENTRE_LON, CENTRE_LAT)
        self.county = county
        self.roads: list[Road] = []
        self.index = EdgeIndex()  # the roads new roads may join (not the interchange links)
        self.major = EdgeIndex()  # national and provincial roads, for the interchange links
        places = county.places
        self.centre = next(self.xy(p) for p in places if p.kind == "county")
        self.townships = [p for p in places if p.kind == "township"]
        self.villages = [p for p in places if p.kind == "village"]
        self.slug_xy = {p.id.removeprefix("t-"): self.xy(p) for p in self.townships}
        city = next(f for f in county.facilities if f.kind == FacilityKind.city_hospital)
        city_xy = self.proj.to_xy(city.lon, city.lat)
        self.terminus = _toward(city_xy, _km(INTERCHANGES_KM[0]), CITY_TERMINUS_M)
        self.city_junction = _toward(city_xy, self.terminus, CITY_JUNCTION_M)
        self.linked: set[tuple[str, str]] = set()

    def xy(self, place: DemoPlace) -> XY:
        return self.proj.to_xy(place.lon, place.lat)

    def point(self, waypoint: Waypoint) -> XY:
        if isinstance(waypoint, tuple):
            return _km(waypoint)
        if waypoint == "centre":
            return self.centre
        return self.city_junction if waypoint == "city" else self.slug_xy[waypoint]

    def add(
        self, pts: list[XY], road_class: str, name: str, owner: str = "", snap: bool = True
    ) -> int:
        self.roads.append(Road(pts, road_class, name, owner))
        road_id = len(self.roads) - 1
        if snap:
            self.index.add(road_id, pts)
        if road_class in _MAJOR:
            self.major.add(road_id, pts)
        return road_id

    def connect(self, p: XY, road_class: str, name: str, owner: str = "") -> str:
        """Join p to the nearest road (the foot becomes its vertex); the owner of that road."""
        road_id, foot, gap = self.index.nearest(p)
        target = self.roads[road_id]
        end = insert_vertex(target, foot)
        if gap >= SNAP_EPS_M:
            taken_a, taken_b = self.index.directions_at(p), self.index.directions_at(end)
            spur = field_road(
                p, end, self.rng, step=600.0, amp=25.0, taken_a=taken_a, taken_b=taken_b
            )
            self.add(spur, road_class, name, owner)
        return target.owner

    def major_roads(self) -> None:
        for name, waypoints in NATIONAL_ROADS:
            pts = route([self.point(w) for w in waypoints], self.rng, step=2_000.0, amp=120.0)
            self.add(pts, "national", name)
        urban = {p.id.removeprefix("t-") for p in self.townships if _is_urban(p)}
        for name, waypoints in PROVINCIAL_ROADS:
            points = [self.point(w) for w in waypoints]
            if waypoints[0] in urban:  # from the town's national road, through the subdistrict
                road_id, foot, _ = self.major.nearest(points[0])
                points.insert(0, insert_vertex(self.roads[road_id], foot))
            pts = route(points, self.rng, step=1_500.0, amp=150.0)
            self.add(pts, "provincial", name)
        city_link = wiggle(self.terminus, self.city_junction, self.rng, step=700.0, amp=30.0)
        self.add(city_link, "county", "城区高速连接线（演示）")

    def town_grid(self) -> None:
        names = iter(TOWN_STREET_NAMES)
        for k, x in enumerate(TOWN_STREETS_X):
            a, b = (x, TOWN_SPAN_Y[0]), (x, TOWN_SPAN_Y[1])
            name = next(names, f"城区南北{k + 1}路")
            self.add(wiggle(a, b, self.rng, step=500.0, amp=15.0), "township", f"{name}（演示）")
        for k, y in enumerate(TOWN_STREETS_Y):
            a, b = (TOWN_SPAN_X[0], y), (TOWN_SPAN_X[1], y)
            name = next(names, f"城区东西{k + 1}街")
            self.add(wiggle(a, b, self.rng, step=500.0, amp=15.0), "township", f"{name}（演示）")

    def county_roads(self) -> None:
        """Roads between neighbouring township centres: a Delaunay triangulation, pruned."""
        slugs = list(self.slug_xy)
        pts = np.array([self.slug_xy[s] for s in slugs])
        edges = {
            (min(a, b), max(a, b))
            for simplex in Delaunay(pts).simplices.tolist()
            for a, b in combinations(simplex, 2)
        }
        along_major = {
            frozenset(pair)
            for _, waypoints in NATIONAL_ROADS + PROVINCIAL_ROADS
            for pair in pairwise(waypoints)
        }
        urban = {s for s, p in zip(slugs, self.townships, strict=True) if _is_urban(p)}

        def length(edge: tuple[int, int]) -> float:
            return float(np.hypot(*(pts[edge[0]] - pts[edge[1]])))

        for i, j in sorted(edges, key=lambda e: (length(e), e)):
            a, b = slugs[i], slugs[j]
            if {a, b} <= urban or frozenset((a, b)) in along_major:
                continue
            if length((i, j)) > COUNTY_ROAD_MAX_M:
                continue
            pa, pb = self.slug_xy[a], self.slug_xy[b]
            middle = ((pa[0] + pb[0]) / 2, (pa[1] + pb[1]) / 2)
            if self.index.nearest(middle)[2] < COUNTY_ROAD_CLEARANCE_M:
                continue
            name = f"{_short(self.townships[i])}—{_short(self.townships[j])}县道（演示）"
            self.add(wiggle(pa, pb, self.rng, step=1_200.0, amp=120.0), "county", name)

    def township_roads(self) -> None:
        """Roads from each township centre out toward its villages, in the free directions."""
        for township in self.townships:
            c = self.xy(township)
            if self.index.nearest(c)[2] >= SNAP_EPS_M:
                self.connect(c, "township", f"{township.name_zh}连接线（演示）")
            if _is_urban(township):
                continue
            taken = self._bearings_at(c)
            villages = [self.xy(v) for v in self.villages if v.township_zh == township.name_zh]
            turn = self.rng.uniform(-10.0, 10.0)
            for k, direction_zh in enumerate(DIRECTIONS_ZH):
                direction = (turn + 45.0 * k) % 360.0
                if any(angle_between(direction, b) < TOWNSHIP_ROAD_GAP_DEG for b in taken):
                    continue
                u = (math.cos(math.radians(direction)), math.sin(math.radians(direction)))
                reach = max(
                    (
                        (v[0] - c[0]) * u[0] + (v[1] - c[1]) * u[1]
                        for v in villages
                        if angle_between(bearing(c, v), direction) <= 22.5
                    ),
                    default=0.0,
                )
                if reach < TOWNSHIP_ROAD_MIN_M:
                    continue
                end = (
                    c[0] + TOWNSHIP_ROAD_REACH * reach * u[0],
                    c[1] + TOWNSHIP_ROAD_REACH * reach * u[1],
                )
                name = f"{township.name_zh}{direction_zh}线（演示）"
                self.add(wiggle(c, end, self.rng, step=800.0, amp=60.0), "township", name)

    def _bearings_at(self, c: XY) -> list[float]:
        """Directions of the roads leaving the point c (a vertex of them)."""
        found: list[float] = []
        for road in self.roads:
            for k, v in enumerate(road.pts):
                if v == c:
                    found.extend(
                        bearing(c, road.pts[n]) for n in (k - 1, k + 1) if 0 <= n < len(road.pts)
                    )
        return found

    def interchange_links(self) -> list[XY]:
        """Short links from each interchange to the nearest national or provincial road."""
        interchanges = [_km(p) for p in INTERCHANGES_KM]
        for n, ic in enumerate(interchanges, start=1):
            road_id, foot, _ = self.major.nearest(ic)
            target = self.roads[road_id]
            end = insert_vertex(target, foot)
            link = wiggle(ic, end, self.rng, step=300.0, amp=20.0)
            self.add(link, target.road_class, f"高速{n}号互通连接线（演示）", snap=False)
        return interchanges

    def village_roads(self) -> None:
        """A road to every village (from the nearest road), then roads between close villages."""
        for township in self.townships:
            c = self.xy(township)
            own = [v for v in self.villages if v.township_zh == township.name_zh]
            own.sort(key=lambda v: (math.dist(c, self.xy(v)), v.id))
            for v in own:
                other = self.connect(self.xy(v), "village", f"{v.name_zh}村道（演示）", v.id)
                if other:
                    self.linked.add((min(other, v.id), max(other, v.id)))
        points = np.array([self.xy(v) for v in self.villages])
        for i, v in enumerate(self.villages):
            gaps = np.hypot(*(points - points[i]).T)
            gaps[i] = math.inf
            for j in np.argsort(gaps, kind="stable")[:VILLAGE_LINKS].tolist():
                u = self.villages[j]
                pair = (min(u.id, v.id), max(u.id, v.id))
                if gaps[j] > VILLAGE_LINK_MAX_M or pair in self.linked:
                    continue
                self.linked.add(pair)
                a, b = self.xy(v), self.xy(u)
                taken_a, taken_b = self.index.directions_at(a), self.index.directions_at(b)
                pts = field_road(
                    a, b, self.rng, step=600.0, amp=25.0, taken_a=taken_a, taken_b=taken_b
                )
                self.add(pts, "village", f"{v.name_zh}—{u.name_zh}村道（演示）")

    def facility_roads(self) -> None:
        for facility in self.county.facilities:
            p = self.proj.to_xy(facility.lon, facility.lat)
            if self.index.nearest(p)[2] >= SNAP_EPS_M:
                self.connect(p, "village", f"{facility.name_zh}进出道路", facility.id)


def _is_urban(township: DemoPlace) -> bool:
    return township.name_zh.endswith("街道")


def _short(township: DemoPlace) -> str:
    return township.name_zh.removesuffix("街道").removesuffix("镇").removesuffix("乡")


class _Graph:
    """Nodes keyed by their rounded lon/lat, and the segments between them."""

    def __init__(self, proj: LocalProjection, anchors: set[LonLat]) -> None:
        self.proj = proj
        self.anchors = anchors  # points that must be nodes even in the middle of a road
        self.ids: dict[LonLat, int] = {}
        self.network = RoadNetwork(source=SOURCE, synthetic=True)

    def node(self, p: LonLat) -> int:
        if p not in self.ids:
            self.ids[p] = len(self.network.nodes)
            self.network.nodes.append(p)
            self.network.node_osm_ids.append(None)
        return self.ids[p]

    def add(self, pts: Sequence[XY], road_class: str, name: str, oneway: bool = False) -> None:
        coords: list[LonLat] = []
        for p in pts:
            ll = self.proj.to_lonlat(p)
            if not coords or coords[-1] != ll:
                coords.append(ll)
        if len(coords) < 2:
            return
        cuts = [k for k in range(1, len(coords) - 1) if coords[k] in self.anchors]
        for a, b in pairwise([0, *cuts, len(coords) - 1]):
            self._piece(coords[a : b + 1], road_class, name, oneway)

    def _piece(self, coords: list[LonLat], road_class: str, name: str, oneway: bool) -> None:
        if coords[0] == coords[-1]:  # a loop: two segments through its middle vertex
            if len(coords) >= 3:
                middle = len(coords) // 2
                self._segment(coords[: middle + 1], road_class, name, oneway)
                self._segment(coords[middle:], road_class, name, oneway)
            return
        self._segment(coords, road_class, name, oneway)

    def _segment(self, coords: list[LonLat], road_class: str, name: str, oneway: bool) -> None:
        source, target = self.node(coords[0]), self.node(coords[-1])
        self.network.segments.append(
            Segment(source, target, tuple(coords), road_class, oneway=oneway, name=name)
        )


def _expressway(graph: _Graph, rng: random.Random, terminus: XY, interchanges: list[XY]) -> None:
    """Two one-way carriageways from the city through the interchanges, sharing only those."""
    stops = [terminus, *interchanges]
    line = route([terminus, _km(EXPRESSWAY_BEND_KM), *interchanges], rng, step=2_500.0, amp=150.0)
    cuts = [line.index(s) for s in stops]
    for a, b in pairwise(cuts):
        stretch = line[a : b + 1]
        for carriageway in (offset_line(stretch, CARRIAGEWAY_OFFSET_M),
                            offset_line(stretch[::-1], CARRIAGEWAY_OFFSET_M)):  # fmt: skip
            piece: list[XY] = [carriageway[0]]
            run = 0.0
            for prev, here in pairwise(carriageway):
                piece.append(here)
                run += math.dist(prev, here)
                if run >= EXPRESSWAY_PIECE_M or here == carriageway[-1]:
                    graph.add(piece, "expressway", EXPRESSWAY_NAME, oneway=True)
                    piece, run = [here], 0.0


def build_demo_roads(county: DemoCounty, seed: int = 20261124) -> RoadNetwork:
    """Build the demo county's synthetic road network; the same seed gives an identical one."""
    rng = random.Random(seed)  # noqa: S311 - reproducible demo data, not security
    layout = _Layout(county, rng)
    layout.major_roads()
    layout.town_grid()
    layout.county_roads()
    layout.township_roads()
    interchanges = layout.interchange_links()
    layout.village_roads()
    layout.facility_roads()
    anchors = {layout.proj.to_lonlat(layout.xy(p)) for p in county.places}
    anchors |= {layout.proj.to_lonlat(layout.proj.to_xy(f.lon, f.lat)) for f in county.facilities}
    graph = _Graph(layout.proj, anchors)
    for pts, road_id in node_roads(layout.roads, _RANK):
        road = layout.roads[road_id]
        graph.add(pts, road.road_class, road.name)
    _expressway(graph, rng, layout.terminus, interchanges)
    return graph.network
