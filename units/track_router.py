"""``POST /ambulances/{id}/positions``: the GPS fixes, on a router of their own (issue 17).

At 5,000 ambulances a fix every 10 s, this is most of the requests the API serves, so it does
only what a fix needs. A fix's rows are its record (the track keeps who posted it,
``reported_by``, and when, ``received_at``; no role may change them, migration 0033), so it is
not an audit entry: at 500 entries a second, each holding the chain's lock until its commit,
every alert's and stamp's entry would queue behind them. The router is therefore included
without the API's audit dependency (``dispatch/app.py``), and the request has no transaction of
its own: the fixes are written in the group commit's (``units.track_writer``), and the caller
is checked by ``CurrentUserDetached`` (a session the process remembers costs no database
session at all). A refused fix writes nothing.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Body, Request
from fastapi.exceptions import RequestValidationError
from pydantic import TypeAdapter, ValidationError

from units import scope, service
from units.deps import CurrentUserDetached, LimitsDep
from units.schemas import PositionIn, PositionsAccepted, Slug
from units.track_writer import Report, track_writer

router = APIRouter(tags=["units"])
_position_batch = TypeAdapter(list[PositionIn])


def parse_positions(body: Any) -> list[PositionIn]:
    """One position or a batch, with errors located as ``positions[i].field``."""
    try:
        if isinstance(body, list):
            return _position_batch.validate_python(body)
        return [PositionIn.model_validate(body)]
    except ValidationError as exc:
        prefix: tuple[str | int, ...] = ("positions",) if isinstance(body, list) else ()
        errors = [{**error, "loc": (*prefix, *error["loc"])} for error in exc.errors()]
        raise RequestValidationError(errors) from exc


@router.post("/ambulances/{ambulance_id}/positions", response_model=PositionsAccepted)
async def post_positions(
    request: Request,
    ambulance_id: Slug,
    positions: Annotated[Any, Body(description="one position object, or a list of them (a batch)")],
    user: CurrentUserDetached,
    limits: LimitsDep,
) -> PositionsAccepted:
    """One GPS fix or a batch, all checked before any is written, then written with the other
    requests' of the same moment in one transaction (``units.track_writer``)."""
    scope.require_ambulance_reporter(user, ambulance_id, "post positions")
    fixes = service.check_fixes(parse_positions(positions), limits, datetime.now(UTC))
    accepted = await track_writer(request).submit(Report(ambulance_id, fixes, user.id))
    return PositionsAccepted(
        ambulance_id=accepted.ambulance_id,
        accepted=accepted.accepted,
        position_at=accepted.position_at,
        moved=accepted.moved,
    )
