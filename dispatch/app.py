"""The app factory. Its lifespan owns every resource; nothing does I/O at import time.

Run with ``uvicorn --factory dispatch.app:create_app`` or ``infofirst serve``.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta

from fastapi import APIRouter, FastAPI

from dispatch import geo_api, logs, ops, problems
from dispatch.cases import dispatching
from dispatch.cases import router as cases_router
from dispatch.db import make_engine, make_sessionmaker
from dispatch.middleware import BodyLimit, RequestContext
from dispatch.roads_runtime import RoadRuntime, start_watching, stop_watching
from dispatch.settings import Settings, get_settings
from geo.points import InputLimits
from units import auth_router
from units import router as units_router
from units.hooks import UnitHooks
from units.security import TokenConfig

API_PREFIX = "/api/v1"


def create_app(settings: Settings | None = None) -> FastAPI:
    """A configured app; the engine is opened by its lifespan."""
    settings = settings or get_settings()
    logs.configure(settings.log_level, settings.log_json)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        engine = make_engine(settings)
        app.state.engine = engine
        app.state.sessionmaker = make_sessionmaker(engine)
        watcher = await start_watching(
            app.state.roads, app.state.sessionmaker, settings.road_reload_seconds
        )
        try:
            yield
        finally:
            await stop_watching(watcher)
            await engine.dispose()

    app = FastAPI(
        title="infofirst",
        summary="County chest-pain and stroke network: information before the patient",
        version="0.1.0",
        lifespan=lifespan,
        openapi_url=f"{API_PREFIX}/openapi.json",
        docs_url=f"{API_PREFIX}/docs",
        redoc_url=None,
    )
    app.state.settings = settings
    app.state.token_config = TokenConfig(
        secret=settings.secret_key.get_secret_value(),
        ttl=timedelta(minutes=settings.token_ttl_minutes),
    )
    app.state.input_limits = InputLimits(
        service_area=settings.service_area,
        max_future=timedelta(seconds=settings.max_future_seconds),
        max_batch=settings.max_positions_per_batch,
    )
    app.state.roads = RoadRuntime(
        access_speed_kmh=settings.access_speed_kmh,
        max_snap_m=settings.max_snap_m,
        coverage_margin_m=settings.coverage_margin_m,
    )
    app.state.unit_hooks = UnitHooks(
        on_status=[dispatching.status_listener],
        on_position=[dispatching.eta_listener(lambda: app.state.roads.engine)],
    )
    problems.install(app)

    api = APIRouter(prefix=API_PREFIX)
    api.include_router(auth_router.router)
    api.include_router(units_router.router)
    api.include_router(geo_api.router)
    api.include_router(cases_router.router)
    app.include_router(api)
    app.include_router(ops.router)

    app.add_middleware(BodyLimit, limit=settings.max_body_bytes)
    app.add_middleware(RequestContext)
    return app
