"""The live travel-time engine of one server process: loaded in the lifespan, reloaded when the
network's version changes (an import in any process bumps it), with cached drive-time areas."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from pathlib import Path

import structlog
from shapely.geometry import MultiPolygon
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from geo import road_cache, road_store
from geo.coverage import drive_time_areas
from geo.engine import ENGINE_TINY, TravelTimeEngine
from geo.engine_graph import build_graph
from geo.exceptions import NoRoadNetwork
from geo.road_arrays import RoadArrays, snappable

log = structlog.get_logger(__name__)

CoverageKey = tuple[int, tuple[tuple[float, float], ...], tuple[float, ...]]


def engine_from_store(
    arrays: road_store.NetworkArrays,
    access_speed_kmh: float,
    max_snap_m: float,
    cache_root: Path | None = None,
    cache_key: str = "",
) -> TravelTimeEngine:
    """Build the engine from the arrays the store loaded (CPU work: run it in a thread). With a
    cache directory, its arrays are written there and the engine runs on the mapped files, so
    this process shares them with every other one (``geo.road_cache``)."""
    road = road_arrays_of(arrays)
    graph = build_graph(road, ENGINE_TINY)
    if cache_root is not None and cache_key:
        road_cache.write(cache_root, cache_key, road, graph)
        mapped = road_cache.read(cache_root, cache_key)
        if mapped is not None:
            road, graph = mapped
    return warmed(TravelTimeEngine(road, access_speed_kmh, max_snap_m, graph))


def warmed(engine: TravelTimeEngine) -> TravelTimeEngine:
    """The engine after one snap and one nearest search: the numba kernels are compiled (or
    loaded from numba's cache) here, in the loading thread, not in the first request (a cold
    compile takes seconds)."""
    lon, lat = float(engine.arrays.node_lon[0]), float(engine.arrays.node_lat[0])
    found = engine.snap_many([lon], [lat])[0]
    if found is not None:
        engine.nearest(found, [("warm-up", lon, lat)], 1)
    return engine


def engine_from_files(
    cache_root: Path, cache_key: str, access_speed_kmh: float, max_snap_m: float
) -> TravelTimeEngine | None:
    """The engine on the mapped files of network ``cache_key``; None if they are missing or
    refused."""
    mapped = road_cache.read(cache_root, cache_key)
    if mapped is None:
        return None
    return warmed(TravelTimeEngine(mapped[0], access_speed_kmh, max_snap_m, mapped[1]))


async def write_network_files(db: AsyncSession, cache_root: Path) -> Path | None:
    """Build the stored network's engine arrays and write them for the servers to map (the
    road import calls this); None when no network is stored."""
    key = await road_store.network_key(db)
    arrays = await road_store.load_network_arrays(db)
    if len(arrays.seg_ids) == 0:
        return None
    road = road_arrays_of(arrays)
    graph = await asyncio.to_thread(build_graph, road, ENGINE_TINY)
    return await asyncio.to_thread(road_cache.write, cache_root, key, road, graph)


def road_arrays_of(arrays: road_store.NetworkArrays) -> RoadArrays:
    """The engine's arrays of what the store loaded."""
    return RoadArrays(
        node_lon=arrays.node_lon,
        node_lat=arrays.node_lat,
        seg_source=arrays.seg_source_index,
        seg_target=arrays.seg_target_index,
        seg_minutes=arrays.seg_minutes,
        seg_length_m=arrays.seg_length_m,
        seg_oneway=arrays.seg_oneway,
        seg_coords=arrays.seg_coords,
        version=arrays.version,
        seg_snappable=snappable(arrays.seg_road_class),
        turn_from=arrays.turn_from,
        turn_via=arrays.turn_via,
        turn_to=arrays.turn_to,
        turn_only=arrays.turn_only,
    )


@dataclass
class RoadRuntime:
    access_speed_kmh: float
    max_snap_m: float
    coverage_margin_m: float
    cache_root: Path | None = None  # where the engine's arrays are mapped from (road_cache)
    engine: TravelTimeEngine | None = None
    version: int = -1
    _coverage: dict[CoverageKey, list[tuple[float, MultiPolygon]]] = field(default_factory=dict)
    _lock: asyncio.Lock = field(default_factory=asyncio.Lock)

    def require(self) -> TravelTimeEngine:
        """The engine, or NoRoadNetwork while none is loaded."""
        if self.engine is None:
            raise NoRoadNetwork(
                "no road network is loaded: run `infofirst import roads FILE`"
                " or `infofirst demo load`"
            )
        return self.engine

    async def refresh(self, sessions: async_sessionmaker[AsyncSession]) -> bool:
        """Reload the engine if the stored network's version changed; True if it did."""
        async with self._lock:
            async with sessions() as db:
                version = await road_store.network_version(db)
                if version == self.version:
                    return False
                engine, key = None, ""
                if self.cache_root is not None:
                    key = await road_store.network_key(db)
                    engine = await asyncio.to_thread(
                        engine_from_files,
                        self.cache_root,
                        key,
                        self.access_speed_kmh,
                        self.max_snap_m,
                    )
                if engine is None:  # no file yet, or a stale or torn one: build (and write)
                    arrays = await road_store.load_network_arrays(db)
                    version = arrays.version
                    if len(arrays.seg_ids) > 0:
                        engine = await asyncio.to_thread(
                            engine_from_store,
                            arrays,
                            self.access_speed_kmh,
                            self.max_snap_m,
                            self.cache_root,
                            key,
                        )
            self.engine, self.version = engine, version
            self._coverage.clear()
            log.info(
                "road_network_loaded",
                version=version,
                nodes=0 if engine is None else engine.node_count,
                segments=0 if engine is None else engine.segment_count,
                mapped=engine is not None and self.cache_root is not None,
            )
            return True

    async def watch(self, sessions: async_sessionmaker[AsyncSession], every: float) -> None:
        """Check for a new network version every ``every`` seconds, until cancelled (database
        errors are logged and retried; anything else propagates to the supervisor)."""
        while True:
            await asyncio.sleep(every)
            try:
                await self.refresh(sessions)
            except (SQLAlchemyError, OSError) as exc:
                log.warning("road_network_check_failed", error=type(exc).__name__)

    async def coverage(
        self, origins: list[tuple[float, float]], thresholds: tuple[float, ...]
    ) -> list[tuple[float, MultiPolygon]]:
        """Drive-time areas around the origins, cached per network version."""
        engine = self.require()
        key = (engine.version, tuple(sorted(origins)), thresholds)
        if key not in self._coverage:
            self._coverage[key] = await asyncio.to_thread(
                drive_time_areas, engine, origins, thresholds, self.coverage_margin_m
            )
            if len(self._coverage) > 256:
                self._coverage.pop(next(iter(self._coverage)))
        return self._coverage[key]


async def load_network(runtime: RoadRuntime, sessions: async_sessionmaker[AsyncSession]) -> None:
    """Load the network now; if the database is down, the watcher (``RoadRuntime.watch``, run
    by the app's supervisor) loads it once it answers."""
    try:
        await runtime.refresh(sessions)
    except (SQLAlchemyError, OSError) as exc:
        log.warning("road_network_not_loaded", error=type(exc).__name__)
