"""The ECG readers' rota (issue 16): the admin writes it, readers and overseers read it, a unit
neither; shifts end after they start, last at most 24 h, belong to an active reader and never
overlap another of the same reader (a shift may start exactly where the last ended)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from tests.conftest import Login
from tests.e2e.cases_helpers import signed_in
from tests.e2e.rota_helpers import ROTA, SECOND_READER, empty_rota, put_on, second_reader
from tests.e2e.units_helpers import assert_problem

READER = "ecg-reader"
HOUR = timedelta(hours=1)


def _now() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


async def test_the_admin_puts_a_reader_on_duty_and_the_reader_sees_it(
    client: httpx.AsyncClient, login: Login, db: AsyncSession
) -> None:
    """A shift covering now: 201, listed to the reader, on duty now, and 'you are on duty'."""
    await empty_rota(db)
    await second_reader(db)
    admin = await signed_in(login, "admin")
    now = _now()
    made = await put_on(client, admin, READER, now - HOUR, now + 7 * HOUR)
    assert 201 == made.status_code, made.text
    shift = made.json()
    assert (READER, "admin", False) == (shift["username"], shift["created_by"], shift["synthetic"])
    reader = await signed_in(login, READER)
    listed = (await client.get(ROTA, headers=reader)).json()
    assert [shift["id"]] == [s["id"] for s in listed["shifts"]]
    assert [shift["id"]] == listed["on_duty_shift_ids"]
    duty = (await client.get(f"{ROTA}/on-duty", headers=reader)).json()
    assert ([READER], True, False) == (
        [s["username"] for s in duty["on_duty"]],
        duty["you_are_on_duty"],
        duty["fallback_all_readers"],
    )
    other = await signed_in(login, SECOND_READER)
    assert False is (await client.get(f"{ROTA}/on-duty", headers=other)).json()["you_are_on_duty"]
    auditor = (
        await client.get(f"{ROTA}/on-duty", headers=await signed_in(login, "auditor"))
    ).json()
    assert None is auditor["you_are_on_duty"]


async def test_nobody_on_duty_says_every_reader_is_told(
    client: httpx.AsyncClient, login: Login, db: AsyncSession
) -> None:
    """With no shift covering now: an empty duty and the fallback to every reader."""
    await empty_rota(db)
    reader = await signed_in(login, READER)
    duty = (await client.get(f"{ROTA}/on-duty", headers=reader)).json()
    assert ([], False, True) == (
        duty["on_duty"],
        duty["you_are_on_duty"],
        duty["fallback_all_readers"],
    )


@pytest.mark.parametrize(
    "who", ["ecg-reader", "dispatcher", "auditor", "data-manager", "township-th-nandun"]
)
async def test_only_the_admin_writes_the_rota(
    client: httpx.AsyncClient, login: Login, db: AsyncSession, who: str
) -> None:
    """Readers, overseers and units may not put a shift on (403); nothing is written."""
    await empty_rota(db)
    now = _now()
    refused = await put_on(client, await signed_in(login, who), READER, now, now + HOUR)
    assert "/problems/forbidden" == assert_problem(refused, 403)["type"]
    assert 0 == await db.scalar(text("SELECT count(*) FROM ecg_rota_shifts"))


@pytest.mark.parametrize("who", ["township-th-nandun", "cathlab-county-hospital", "crew-amb-01"])
async def test_a_unit_or_crew_does_not_read_the_rota(
    client: httpx.AsyncClient, login: Login, who: str
) -> None:
    """The rota is the ECG centre's and the overseers': 403 to a unit or crew."""
    headers = await signed_in(login, who)
    assert 403 == (await client.get(ROTA, headers=headers)).status_code
    assert 403 == (await client.get(f"{ROTA}/on-duty", headers=headers)).status_code


async def test_a_stranger_gets_401(client: httpx.AsyncClient) -> None:
    """Without a token: 401 on every rota endpoint."""
    now = _now()
    body = {"username": READER, "starts_at": now.isoformat(), "ends_at": (now + HOUR).isoformat()}
    assert 401 == (await client.get(ROTA)).status_code
    assert 401 == (await client.get(f"{ROTA}/on-duty")).status_code
    assert 401 == (await client.post(ROTA, json=body)).status_code
    assert 401 == (await client.delete(f"{ROTA}/1")).status_code


async def test_bad_shifts_are_refused_with_a_clear_problem(
    client: httpx.AsyncClient, login: Login, db: AsyncSession
) -> None:
    """Ends before it starts, over 24 h, not a reader, no such user: 422 rota-rejected;
    no UTC offset: 422 invalid-input; nothing is written."""
    await empty_rota(db)
    admin = await signed_in(login, "admin")
    now = _now()
    cases = [
        (READER, now, now),
        (READER, now, now - HOUR),
        (READER, now, now + 24 * HOUR + timedelta(seconds=1)),
        ("township-th-nandun", now, now + HOUR),
        ("nobody-here", now, now + HOUR),
    ]
    for username, starts, ends in cases:
        refused = await put_on(client, admin, username, starts, ends)
        assert "/problems/rota-rejected" == assert_problem(refused, 422)["type"], username
    naive = {"username": READER, "starts_at": "2026-12-04T08:00:00", "ends_at": "2026-12-04T20:00"}
    assert (
        "/problems/invalid-input"
        == (assert_problem(await client.post(ROTA, json=naive, headers=admin), 422)["type"])
    )
    assert 0 == await db.scalar(text("SELECT count(*) FROM ecg_rota_shifts"))
    full_day = await put_on(client, admin, READER, now, now + 24 * HOUR)
    assert 201 == full_day.status_code, full_day.text


async def test_one_reader_s_shifts_never_overlap_but_may_meet(
    client: httpx.AsyncClient, login: Login, db: AsyncSession
) -> None:
    """Overlapping the reader's shift: 409 rota-overlap naming it; starting at its end: 201;
    another reader at the same time: 201; the table refuses an overlap written directly."""
    await empty_rota(db)
    await second_reader(db)
    admin = await signed_in(login, "admin")
    start = _now() + 2 * HOUR
    first = (await put_on(client, admin, READER, start, start + 12 * HOUR)).json()
    for starts, ends in [
        (start + 11 * HOUR, start + 13 * HOUR),
        (start - HOUR, start + timedelta(seconds=1)),
        (start + HOUR, start + 2 * HOUR),
    ]:
        clash = await put_on(client, admin, READER, starts, ends)
        problem = assert_problem(clash, 409)
        assert "/problems/rota-overlap" == problem["type"]
        assert f"shift {first['id']}" in problem["detail"]
    meets = await put_on(client, admin, READER, start + 12 * HOUR, start + 24 * HOUR)
    assert 201 == meets.status_code, meets.text
    before = await put_on(client, admin, READER, start - 12 * HOUR, start)
    assert 201 == before.status_code, before.text
    alongside = await put_on(client, admin, SECOND_READER, start, start + 12 * HOUR)
    assert 201 == alongside.status_code, alongside.text
    with pytest.raises(IntegrityError, match="ex_ecg_rota_shifts_overlap"):
        async with db.begin_nested():
            await db.execute(
                text(
                    "INSERT INTO ecg_rota_shifts (user_id, starts_at, ends_at, label, created_by)"
                    " SELECT user_id, starts_at + interval '1 hour', ends_at, label, 'sql'"
                    " FROM ecg_rota_shifts WHERE id = :id"
                ),
                {"id": first["id"]},
            )


async def test_a_future_shift_comes_off_and_one_that_began_stays(
    client: httpx.AsyncClient, login: Login, db: AsyncSession
) -> None:
    """DELETE a shift not yet begun: 204 and gone; one that began: 409; unknown: 404; by a
    reader: 403."""
    await empty_rota(db)
    admin = await signed_in(login, "admin")
    now = _now()
    future = (await put_on(client, admin, READER, now + HOUR, now + 2 * HOUR)).json()
    began = (await put_on(client, admin, READER, now - HOUR, now + HOUR / 2)).json()
    reader = await signed_in(login, READER)
    assert 403 == (await client.delete(f"{ROTA}/{future['id']}", headers=reader)).status_code
    assert 204 == (await client.delete(f"{ROTA}/{future['id']}", headers=admin)).status_code
    assert 404 == (await client.delete(f"{ROTA}/{future['id']}", headers=admin)).status_code
    kept = await client.delete(f"{ROTA}/{began['id']}", headers=admin)
    assert "/problems/conflict" == assert_problem(kept, 409)["type"]
    left = (await client.get(ROTA, headers=admin)).json()["shifts"]
    assert [began["id"]] == [s["id"] for s in left]


async def test_the_label_is_where_the_shift_starts_on_the_local_clock(
    client: httpx.AsyncClient, login: Login, db: AsyncSession
) -> None:
    """Starting 07:00 up to 19:00 Asia/Shanghai: day (07:00, 18:59); else night (19:00,
    06:59)."""
    await empty_rota(db)
    admin = await signed_in(login, "admin")
    base = datetime(2026, 11, 2, tzinfo=UTC)  # 08:00 in Shanghai (UTC+8)
    labels = []
    for local in ("07:00", "18:59", "19:00", "06:59"):
        hours, minutes = (int(part) for part in local.split(":"))
        at_eight = base + timedelta(days=len(labels))
        starts = at_eight + timedelta(hours=hours - 8, minutes=minutes)
        made = await put_on(client, admin, READER, starts, starts + HOUR)
        labels.append(made.json()["label"])
    assert ["day", "day", "night", "night"] == labels
