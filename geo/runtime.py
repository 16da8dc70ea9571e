"""The live travel-time engine of one server process: loaded in the lifespan, reloaded when the
network's version changes (an import in any process bumps it), with cached drive-time areas."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field

import structlog
from shapely.geometry import MultiPolygon
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from geo import road_store
from geo.coverage import drive_time_areas
from geo.engine import TravelTimeEngine
from geo.exceptions import NoRoadNetwork
from geo.road_arrays import RoadArrays, snappable

log = structlog.get_logger(__name__)

CoverageKey = tuple[int, tuple[tuple[float, float], ...], tuple[float, ...]]


def engine_from_store(
    arrays: road_store.NetworkArrays, access_speed_kmh: float, max_snap_m: float
) -> TravelTimeEngine:
    """Build the engine from the arrays the store loaded (CPU work: run it in a thread)."""
    return TravelTimeEngine(
        RoadArrays(
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
        ),
        access_speed_kmh=access_speed_kmh,
        max_snap_m=max_snap_m,
    )


@dataclass
class RoadRuntime:
    access_speed_kmh: float
    max_snap_m: float
    coverage_margin_m: float
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
                arrays = await road_store.load_network_arrays(db)
            engine = None
            if len(arrays.seg_ids) > 0:
                engine = await asyncio.to_thread(
                    engine_from_store, arrays, self.access_speed_kmh, self.max_snap_m
                )
            self.engine, self.version = engine, arrays.version
            self._coverage.clear()
            log.info(
                "road_network_loaded",
                version=arrays.version,
                nodes=len(arrays.node_ids),
                segments=len(arrays.seg_ids),
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
