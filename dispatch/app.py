"""The app factory. Its lifespan owns every resource; nothing does I/O at import time.

Run with ``uvicorn --factory dispatch.app:create_app`` or ``infofirst serve``.
"""

from __future__ import annotations

import contextlib
import ssl
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta
from functools import partial
from typing import cast

from fastapi import APIRouter, Depends, FastAPI
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from alerts import (
    attachments_router,
    ecg_escalation,
    ecg_rota_router,
    ecg_router,
    escalation,
    webhook,
)
from alerts import router as alerts_router
from alerts import ws as alerts_ws
from alerts.escalation import LogNotifier, Notifier, WebhookNotifier
from alerts.hub import Hub, Listener
from alerts.session_watch import SessionWatch
from dispatch.cases import alert_link, dispatching, one_key
from dispatch.cases import router as cases_router
from dispatch.cases.decision_rules import DecisionConfig
from dispatch.cases.hooks import CaseHooks
from dispatch.drills import loop as drills_loop
from dispatch.drills import router as drills_router
from dispatch.dsn import asyncpg_dsn
from dispatch.http import health, logs, ops_access, problems
from dispatch.http.database import (
    FANOUT_APPLICATION,
    TRACK_APPLICATION,
    make_engine,
    make_report_engine,
    make_sessionmaker,
)
from dispatch.http.heap import freeze_startup_heap, thaw
from dispatch.http.input_guard import InputGuard
from dispatch.http.middleware import BodyLimit, RequestContext
from dispatch.http.security_headers import SecurityHeaders
from dispatch.http.supervisor import Backoff, Supervisor
from dispatch.reports import cpc_router, qc_router
from dispatch.reports import ecg_router as ecg_report_router
from dispatch.reports import readmodel as report_readmodel
from dispatch.reports import recent as report_recent
from dispatch.reports import router as reports_router
from dispatch.secret_file import signing_secret
from dispatch.settings import Settings, get_settings
from dispatch.web import router as web_router
from geo import router as geo_router
from geo.points import InputLimits
from geo.runtime import RoadRuntime, load_network
from units import accounts, audit, audit_router, auth_router, reach_router, track_router
from units import router as units_router
from units.batched import BatchedWriter
from units.deps import current_user
from units.hooks import UnitHooks
from units.login_guard import LoginFailure, LoginGuard, PasswordPool, write_failures
from units.login_policy import Limit, LoginPolicy
from units.security import TokenConfig
from units.session_cache import SessionCache
from units.track_writer import TrackWriter

API_PREFIX = "/api/v1"


def notifier_for(settings: Settings) -> Notifier:
    """The outbound escalation channel: a webhook if configured (https, signed: refused at
    start otherwise, ``alerts.webhook.check``), else the log."""
    url = settings.escalation_webhook_url
    if not url:
        return LogNotifier()
    secret = settings.escalation_webhook_secret
    plain_secret = secret.get_secret_value() if secret is not None else None
    webhook.check(url, plain_secret, settings.env)
    ca_file = settings.escalation_webhook_ca_file
    return WebhookNotifier(
        url,
        secret=plain_secret.encode() if plain_secret else None,
        verify=ssl.create_default_context(cafile=ca_file) if ca_file else True,
    )


def case_hooks() -> CaseHooks:
    """What every stamp sets off outside cases: the case's report rows, rewritten in the
    stamp's own transaction (so a report is always consistent with the stamps)."""
    return CaseHooks(on_stamp=(report_readmodel.on_stamp,))


def decision_config(settings: Settings) -> DecisionConfig:
    """The decision rules' thresholds from the settings' plain numbers; bad ones stop the start."""
    try:
        return DecisionConfig.from_mapping(settings.decision)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"INFOFIRST_DECISION is refused: {exc}") from exc


def login_guard(settings: Settings) -> LoginGuard:
    """The sign-in throttles and password pool of the settings (issue 12, finding 3)."""

    def limit(max_failures: int, window_seconds: float) -> Limit:
        return Limit(
            max_failures=max_failures,
            window=timedelta(seconds=window_seconds),
            lockout=timedelta(seconds=settings.login_lockout_seconds),
            max_lockout=timedelta(
                seconds=max(settings.login_max_lockout_seconds, settings.login_lockout_seconds)
            ),
        )

    policy = LoginPolicy(
        account=limit(settings.login_account_max_failures, settings.login_window_seconds),
        address=limit(settings.login_address_max_failures, settings.login_address_window_seconds),
    )
    pool = PasswordPool(settings.login_workers, settings.login_queue)
    return LoginGuard(policy, pool, per_address=settings.login_per_address)


class DemoPasswordsInProduction(RuntimeError):
    """A production server does not start while an active user has a demo password."""


async def refuse_demo_passwords(sessions: async_sessionmaker[AsyncSession]) -> None:
    """Stop a production start while any active user still has a demo password."""
    async with sessions() as db:
        names = await accounts.demo_password_users(db)
    if names:
        raise DemoPasswordsInProduction(
            f"{len(names)} active user(s) have a demo password ({', '.join(names[:10])}):"
            " set real passwords (infofirst users add NAME --replace) or disable them"
            " (infofirst users disable NAME) before starting in production"
        )


def create_app(settings: Settings | None = None) -> FastAPI:
    """A configured app; the engine is opened by its lifespan."""
    settings = settings or get_settings()
    logs.configure(settings.log_level, settings.log_json)
    thresholds = decision_config(settings)
    notifier = notifier_for(settings)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        engine = make_engine(settings)
        app.state.engine = engine
        app.state.sessionmaker = make_sessionmaker(engine)
        track_engine = make_engine(settings, pool_size=2, application_name=TRACK_APPLICATION)
        app.state.track_sessionmaker = make_sessionmaker(track_engine)
        # the listener's frame reads: one statement each, never queued behind the requests
        fanout_engine = make_engine(
            settings, pool_size=2, application_name=FANOUT_APPLICATION, autocommit=True
        )
        if settings.env == "production":
            try:
                await refuse_demo_passwords(app.state.sessionmaker)
            except DemoPasswordsInProduction:
                await engine.dispose()
                await track_engine.dispose()
                await fanout_engine.dispose()
                raise
        await load_network(app.state.roads, app.state.sessionmaker)
        report_engine = make_report_engine(settings)
        if report_engine is not None:
            app.state.report_sessionmaker = make_sessionmaker(report_engine)
        listener = Listener(
            asyncpg_dsn(settings.database_url),
            make_sessionmaker(fanout_engine),
            app.state.alerts_hub,
            settings.alert_poll_seconds,
            settings.listener_check_seconds,
            watchers=[app.state.session_cache],
        )
        app.state.alert_listener = listener
        supervisor: Supervisor = app.state.supervisor
        for name, loop in listener.loops().items():
            supervisor.add(name, loop)
        supervisor.add(
            "alert-escalation",
            partial(
                escalation.run,
                app.state.sessionmaker,
                settings.escalation_check_seconds,
                timedelta(seconds=settings.escalation_reminder_seconds),
                notifier,
            ),
        )
        supervisor.add(
            "ecg-escalation",
            partial(
                escalation.run,
                app.state.sessionmaker,
                settings.escalation_check_seconds,
                timedelta(seconds=settings.escalation_reminder_seconds),
                notifier,
                escalate=ecg_escalation.escalate_unread,
            ),
        )
        supervisor.add(
            "drills",
            partial(drills_loop.run, app.state.sessionmaker, settings.escalation_check_seconds),
        )
        supervisor.add(
            "road-network-watch",
            partial(app.state.roads.watch, app.state.sessionmaker, settings.road_reload_seconds),
        )
        supervisor.add("audit-login-failures", app.state.login_failure_audit.run)
        supervisor.add("ws-session-watch", app.state.session_watch.run)
        supervisor.add("login-refusals", guard_refusals.run)
        supervisor.start()
        app.state.frozen_objects = freeze_startup_heap()
        try:
            yield
        finally:
            await supervisor.stop()
            with contextlib.suppress(SQLAlchemyError, OSError):
                await guard_refusals.flush()
                await app.state.login_failure_audit.flush()
            await engine.dispose()
            await track_engine.dispose()
            await fanout_engine.dispose()
            if report_engine is not None:
                await report_engine.dispose()
            thaw()

    app = FastAPI(
        title="infofirst",
        summary="County chest-pain and stroke network: information before the patient",
        version="0.1.0",
        lifespan=lifespan,
        openapi_url=None,  # served by ops_access.install_docs, to operations and admins only
        docs_url=None,
        redoc_url=None,
    )
    app.state.settings = settings
    app.state.decision_config = thresholds
    app.state.recent_door_to_wire = report_recent.recent_door_to_wire
    app.state.login_guard = login_guard(settings)
    app.state.ops_access = ops_access.OpsAccess.of(
        settings.ops_networks, proxies_trusted=settings.forwarded_allow_ips is not None
    )
    app.state.audit_enabled = settings.audit_enabled
    guard_refusals: BatchedWriter[LoginFailure] = BatchedWriter(
        lambda failures: write_failures(app.state.sessionmaker, failures), max_batch=100
    )
    app.state.login_guard.refusals = guard_refusals
    app.state.login_failure_audit = audit.LoginFailureAudit(
        lambda: app.state.sessionmaker, max_batch=10
    )
    app.state.login_guard.on_failure.append(app.state.login_failure_audit.hook)
    app.state.token_config = TokenConfig(
        secret=signing_secret(settings),
        ttl=timedelta(minutes=settings.token_ttl_minutes),
        issuer=settings.token_issuer,
        audience=settings.token_audience,
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
        cache_root=settings.road_cache_dir,
    )
    app.state.alerts_hub = Hub(settings.ws_queue_size)
    app.state.session_watch = SessionWatch(
        lambda: app.state.sessionmaker, settings.ws_session_check_seconds
    )
    app.state.supervisor = Supervisor(
        Backoff(
            initial=settings.loop_backoff_initial_seconds,
            maximum=settings.loop_backoff_max_seconds,
            healthy_after=settings.loop_healthy_seconds,
        )
    )
    app.state.case_hooks = case_hooks()
    app.state.case_link = alert_link.case_link(app.state.case_hooks)
    app.state.unit_hooks = UnitHooks(
        on_status=[
            dispatching.status_listener(app.state.case_hooks, lambda: app.state.roads.engine)
        ],
        on_position=[dispatching.eta_listener(lambda: app.state.roads.engine)],
    )
    app.state.session_cache = SessionCache(settings.session_cache_seconds)  # on while listening
    # GPS fixes in group commits, on a pool of their own (a test's app: the test's sessions)
    app.state.track_writer = TrackWriter(
        lambda: getattr(app.state, "track_sessionmaker", None) or app.state.sessionmaker,
        lambda: cast(UnitHooks, app.state.unit_hooks),
    )
    problems.install(app)

    api = APIRouter(prefix=API_PREFIX, dependencies=[Depends(audit.audited, scope="function")])
    api.include_router(auth_router.router)
    api.include_router(units_router.router)
    api.include_router(geo_router.router, dependencies=[Depends(current_user)])
    api.include_router(reach_router.router)
    api.include_router(cases_router.router)
    api.include_router(one_key.router)
    api.include_router(drills_router.router)
    api.include_router(alerts_router.router)
    api.include_router(attachments_router.router)
    api.include_router(ecg_router.router)
    api.include_router(ecg_rota_router.router)
    api.include_router(reports_router.router)
    api.include_router(cpc_router.router)
    api.include_router(qc_router.router)
    api.include_router(ecg_report_router.router)
    api.include_router(audit_router.router)
    app.include_router(api)
    # the GPS fixes: not audited (their rows are their record) and without a transaction of
    # their own, so outside ``api`` and its audit dependency (units/track_router.py)
    app.include_router(track_router.router, prefix=API_PREFIX)
    app.include_router(health.router)
    ops_access.install_docs(app, API_PREFIX)
    app.include_router(alerts_ws.router)
    web_router.install(app)

    app.add_middleware(InputGuard)  # inside BodyLimit: the body it reads is bounded
    app.add_middleware(
        BodyLimit,
        limit=settings.max_body_bytes,
        large_paths={f"{API_PREFIX}/attachments": settings.max_attachment_bytes + 65536},
    )
    app.add_middleware(SecurityHeaders)
    app.add_middleware(RequestContext)
    return app
