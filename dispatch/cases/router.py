"""HTTP endpoints of cases: open, list, read, change, stamp, dispatch."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any, Literal, cast

from fastapi import APIRouter, Header, Path, Query, Request, Response
from fastapi.responses import JSONResponse

from dispatch.cases import actions as case_actions
from dispatch.cases import events as case_events
from dispatch.cases import scope, write_scope
from dispatch.cases import service as cases_service
from dispatch.cases.decision_inputs import RecentDoorToWireDep, decide
from dispatch.cases.decision_rules import DecisionConfig
from dispatch.cases.dispatching import dispatch_case
from dispatch.cases.hooks import CaseHooksDep
from dispatch.cases.schemas import (
    CancelIn,
    CaseIn,
    CaseOut,
    CasePatch,
    CaseSummary,
    DelayReasonIn,
    DispatchIn,
    DispatchOut,
    EventIn,
    EventOut,
    ReopenIn,
    TransferIn,
)
from dispatch.cases.timeline_chart import timeline_svg, timeline_title, usable_lang
from dispatch.http.language import Lang, chosen_lang
from dispatch.settings import Settings
from geo.points import check_not_future
from geo.runtime import RoadRuntime
from units import service as units_service
from units.deps import CurrentUser, LimitsDep, SessionDep
from units.vocabulary import RECORD_ANYWHERE_ROLES

router = APIRouter(prefix="/cases", tags=["cases"])

IdempotencyKey = Annotated[
    str | None,
    Header(
        alias="Idempotency-Key",
        min_length=1,
        max_length=128,
        description="Any unique string: a retry with the same key returns the first answer",
    ),
]


def _now() -> datetime:
    return datetime.now(UTC)


def _json(model: CaseOut | EventOut, status: int, replayed: bool) -> JSONResponse:
    headers = {"Idempotent-Replayed": "true"} if replayed else None
    return JSONResponse(model.model_dump(mode="json"), status_code=status, headers=headers)


@router.post("", response_model=CaseOut, status_code=201)
async def open_case(
    data: CaseIn,
    db: SessionDep,
    user: CurrentUser,
    limits: LimitsDep,
    hooks: CaseHooksDep,
    idempotency_key: IdempotencyKey = None,
) -> Response:
    """Open a case at a location (any input coordinate system)."""
    case, replayed = await cases_service.create_case(
        db, user, data, limits, _now(), idempotency_key, hooks=hooks
    )
    return _json(await cases_service.case_view(db, case), 201, replayed)


@router.get("", response_model=list[CaseSummary])
async def list_cases(
    request: Request,
    response: Response,
    db: SessionDep,
    user: CurrentUser,
    status: Literal["active", "closed"] | None = None,
    from_: Annotated[datetime | None, Query(alias="from")] = None,
    to: datetime | None = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 200,
) -> list[CaseSummary]:
    """Cases the user may see, newest first, each with the times a list shows; the header
    ``X-Total-Count`` says how many match (more than ``limit``: the rest are older)."""
    found, total = await cases_service.list_cases(db, user, status, from_, to, limit)
    response.headers["X-Total-Count"] = str(total)
    stale_after = timedelta(hours=cast(Settings, request.app.state.settings).stale_case_hours)
    return await cases_service.summaries(db, found, _now(), stale_after)


@router.get("/{case_id}", response_model=CaseOut)
async def get_case(case_id: int, db: SessionDep, user: CurrentUser) -> CaseOut:
    """The case with its facility legs, its timeline and its intervals."""
    case = await cases_service.readable_case(db, user, case_id)
    return await cases_service.case_view(db, case)


@router.patch("/{case_id}", response_model=CaseOut)
async def patch_case(case_id: int, patch: CasePatch, db: SessionDep, user: CurrentUser) -> CaseOut:
    """Record findings (Killip class, stroke scale…), the destination, or close the case."""
    case = await cases_service.patch_case(db, user, case_id, patch, _now())
    return await cases_service.case_view(db, case)


@router.post("/{case_id}/events", response_model=EventOut, status_code=201)
async def add_event(
    case_id: int,
    data: EventIn,
    db: SessionDep,
    user: CurrentUser,
    limits: LimitsDep,
    hooks: CaseHooksDep,
    idempotency_key: IdempotencyKey = None,
) -> Response:
    """Add a time stamp (append-only; a correction names the stamp it supersedes).

    Who may stamp which milestone at which facility: ``write_scope``; a closed case takes only
    corrections, from a data manager or an admin."""
    record = await cases_service.writable_record(db, user, case_id)
    now = _now()
    parties = case_actions.parties_of(record, now)
    if data.supersedes is not None:
        write_scope.check_correction(user, parties)

    def authorize(milestone: str, facility_id: str | None) -> None:
        write_scope.check_stamp(user, parties, milestone, facility_id)

    event, replayed = await case_events.add_event(
        db, record.case, data, user.username, now, limits.max_future, idempotency_key,
        hooks=hooks, authorize=authorize, transferred=record.transferred,
        anywhere=user.role in RECORD_ANYWHERE_ROLES, events=record.events,
    )  # fmt: skip
    # A new stamp is the latest version; a replay may have been corrected since.
    superseded_by = await case_events.superseded_by(db, event.id) if replayed else None
    return _json(cases_service.event_out(event, superseded_by), 201, replayed)


@router.post("/{case_id}/transfer", response_model=CaseOut)
async def transfer_case(
    case_id: int, body: TransferIn, db: SessionDep, user: CurrentUser
) -> CaseOut:
    """Bring a facility into the case: the patient goes there (its new destination). Dispatch,
    admins, data managers, the assigned crew or the facility holding the patient."""
    case = await cases_service.writable_case(db, user, case_id)
    await case_actions.transfer(db, user, case, body.facility_id, body.reason, _now())
    return await cases_service.case_view(db, case)


@router.post("/{case_id}/cancel", response_model=CaseOut)
async def cancel_case(case_id: int, body: CancelIn, db: SessionDep, user: CurrentUser) -> CaseOut:
    """Cancel a case with a reason: it is closed (``cancelled: …`` in its history) and its open
    alerts are cancelled. Whoever may close the case (dispatch, admins, its parties)."""
    case = await cases_service.cancel_case(db, user, case_id, body.reason, _now())
    return await cases_service.case_view(db, case)


@router.put("/{case_id}/delay-reasons/{metric}", response_model=CaseOut)
async def put_delay_reason(
    case_id: int,
    metric: Annotated[str, Path(max_length=64, pattern=r"^[a-z][a-z0-9_]*$")],
    body: DelayReasonIn,
    db: SessionDep,
    user: CurrentUser,
) -> CaseOut:
    """The coded reason (and a note) of an interval the case missed (issue 14): its parties,
    data managers and admins, on an open or a closed case; 422 if the interval did not miss."""
    case = await cases_service.record_delay_reason(db, user, case_id, metric, body, _now())
    return await cases_service.case_view(db, case)


@router.post("/{case_id}/reopen", response_model=CaseOut)
async def reopen_case(case_id: int, body: ReopenIn, db: SessionDep, user: CurrentUser) -> CaseOut:
    """Reopen a closed case (dispatch or admin), with a reason; its close stays in the history."""
    case = await cases_service.writable_case(db, user, case_id)
    await case_actions.reopen(db, user, case, body.reason, _now())
    return await cases_service.case_view(db, case)


@router.post("/{case_id}/dispatch", response_model=DispatchOut)
async def dispatch(
    request: Request,
    case_id: int,
    body: DispatchIn,
    db: SessionDep,
    user: CurrentUser,
    limits: LimitsDep,
    hooks: CaseHooksDep,
) -> DispatchOut:
    """Send the best available ambulance by road time (or the one named), with the others."""
    scope.require_dispatcher(user)
    engine = cast(RoadRuntime, request.app.state.roads).require()
    case = await cases_service.get_case(db, case_id, lock=True)
    now = _now()
    at = body.at or now
    check_not_future(at, now, limits.max_future, "at")
    chosen, alternatives, event = await dispatch_case(
        db, engine, case, user, at, body.ambulance_id, hooks
    )
    return DispatchOut(
        case_id=case.id,
        ambulance=chosen,
        alternatives=alternatives,
        unit_notified=cases_service.event_out(event, None),
    )


@router.get("/{case_id}/decision")
async def get_decision(
    request: Request,
    case_id: int,
    db: SessionDep,
    user: CurrentUser,
    door_to_wire: RecentDoorToWireDep,
) -> dict[str, Any]:
    """Reperfusion (STEMI) or destination (stroke) recommendation, with every input shown."""
    case = await cases_service.readable_case(db, user, case_id)
    engine = cast(RoadRuntime, request.app.state.roads).require()
    config = cast(DecisionConfig, request.app.state.decision_config)
    zone = cast(Settings, request.app.state.settings).time_zone
    return await decide(db, engine, case, _now(), config, door_to_wire, zone)


@router.get("/{case_id}/timeline.svg", response_class=Response)
async def timeline_chart(
    case_id: int,
    request: Request,
    db: SessionDep,
    user: CurrentUser,
    lang: Annotated[
        Lang | None, Query(description="zh or en; default: the browser's Accept-Language")
    ] = None,
) -> Response:
    """The case's milestones on a time axis, its intervals against their targets, in the
    language asked (Chinese needs a CJK font on the server; without one, English)."""
    case = await cases_service.readable_case(db, user, case_id)
    _, stamps, intervals = await cases_service.case_intervals(db, case)
    settings = cast(Settings, request.app.state.settings)
    drawn = usable_lang(chosen_lang(lang, request.headers.get("accept-language")))
    names = await units_service.facility_names(db, {s.facility_id or "" for s in stamps}, drawn)
    title = timeline_title(case.id, case.pathway, case.drill, drawn)
    svg = await asyncio.to_thread(
        timeline_svg, title, stamps, intervals, settings.time_zone, drawn, names
    )
    return Response(svg, media_type="image/svg+xml", headers={"Content-Language": drawn})
