"""HTTP endpoints of the ECG readers' rota (issue 16): list it, who is on duty now, put a shift
on, take one off. ``alerts/ecg_rota.py`` holds the rules."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request, Response
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from alerts import ecg_rota
from alerts.exceptions import RotaRejected
from units.deps import CurrentUser, SessionDep
from units.vocabulary import Role

router = APIRouter(prefix="/ecg-rota", tags=["ecg-rota"])
LONGEST_LISTING = timedelta(days=62)


class ShiftIn(BaseModel):
    """One reader's shift: on duty from ``starts_at`` up to (not including) ``ends_at``."""

    model_config = ConfigDict(extra="forbid")

    username: str = Field(min_length=1, max_length=64)
    starts_at: AwareDatetime
    ends_at: AwareDatetime
    note: str = Field(default="", max_length=200)


def _now() -> datetime:
    return datetime.now(UTC)


def _time_zone(request: Request) -> str:
    return str(request.app.state.settings.time_zone)


@router.get("")
async def list_rota(
    db: SessionDep,
    user: CurrentUser,
    from_: Annotated[AwareDatetime | None, Query(alias="from")] = None,
    to: AwareDatetime | None = None,
) -> dict[str, Any]:
    """The shifts overlapping [from, to) (default: from a day ago to a week ahead), by start,
    and who is on duty now (ECG readers and the overseers)."""
    now = _now()
    start = from_ or now - timedelta(days=1)
    end = to or now + timedelta(days=7)
    if end <= start or end - start > LONGEST_LISTING:
        raise RotaRejected("list the rota over a period ending after it starts, at most 62 days")
    shifts = await ecg_rota.shifts_between(db, user, start, end)
    duty = ecg_rota.covering([shift for shift, _ in shifts], now)
    return {
        "from": start.isoformat(),
        "to": end.isoformat(),
        "shifts": [ecg_rota.shift_view(shift, username) for shift, username in shifts],
        "on_duty_shift_ids": [shift.id for shift in duty],
    }


@router.get("/on-duty")
async def on_duty(db: SessionDep, user: CurrentUser) -> dict[str, Any]:
    """Who is on duty now; for a reader, whether they are; when nobody is, unread ECGs escalate
    to every reader (``fallback_all_readers``)."""
    now = _now()
    duty = await ecg_rota.duty_for(db, user, now)
    usernames = {username for _, username in duty}
    return {
        "at": now.isoformat(),
        "on_duty": [ecg_rota.shift_view(shift, username) for shift, username in duty],
        "you_are_on_duty": user.username in usernames if user.role == Role.ecg_reader else None,
        "fallback_all_readers": not duty,
    }


@router.post("", status_code=201)
async def add_shift(
    request: Request, data: ShiftIn, db: SessionDep, user: CurrentUser
) -> dict[str, Any]:
    """Put an ECG reader on the rota (the admin): 422 when the shift ends before it starts,
    lasts over 24 h or names no active reader; 409 when it overlaps the reader's other shift."""
    shift, username = await ecg_rota.add_shift(
        db, user, data.username, data.starts_at, data.ends_at, data.note, _time_zone(request)
    )
    return ecg_rota.shift_view(shift, username)


@router.delete("/{shift_id}", status_code=204)
async def delete_shift(
    shift_id: Annotated[int, Path(ge=1, le=2**63 - 1)], db: SessionDep, user: CurrentUser
) -> Response:
    """Take a shift off the rota before it starts (the admin); one that began stays (409)."""
    await ecg_rota.delete_shift(db, user, shift_id, _now())
    return Response(status_code=204)
