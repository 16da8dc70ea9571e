"""The reading report by rota shift (issue 16): a reading counts for the reader's shift covering
its time, half-open — a reading exactly at a shift's end belongs to the next shift; a reader
with no shift then reads ``off_rota``; an unread ECG has no shift (``null``)."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import httpx
from openpyxl import load_workbook
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from tests.conftest import Login
from tests.e2e.alerts_helpers import nandun_case
from tests.e2e.cases_helpers import signed_in
from tests.e2e.rota_helpers import SECOND_READER, empty_rota, put_on, second_reader
from tests.e2e.test_ecg_reading import READER, read, send_file, tracing

REPORT = "/api/v1/reports/ecg-reading"
SHANGHAI = ZoneInfo("Asia/Shanghai")


async def _at(db: AsyncSession, ecg_id: int, received: datetime, read_at: datetime | None) -> None:
    """Move the ECG (and its reading) to the test's own clock."""
    await db.execute(
        text("UPDATE ecgs SET received_at = :r WHERE id = :id"), {"r": received, "id": ecg_id}
    )
    await db.execute(
        text("UPDATE ecg_readings SET read_at = :t WHERE ecg_id = :id"),
        {"t": read_at, "id": ecg_id},
    )
    await db.flush()


async def test_a_reading_at_a_shift_s_end_belongs_to_the_next_shift(
    client: httpx.AsyncClient, login: Login, db: AsyncSession
) -> None:
    """Day shift 08:00-20:00, night 20:00-08:00: read at 19:59:59 → day; at 20:00:00 → night;
    by a reader with no shift → off_rota; unread → null; the share and median per group."""
    await empty_rota(db)
    await second_reader(db)
    await db.execute(text("UPDATE ecgs SET drill = true"))  # other tests' ECGs: out of scope
    yesterday = datetime.now(SHANGHAI).date() - timedelta(days=1)
    boundary = datetime(yesterday.year, yesterday.month, yesterday.day, 20, tzinfo=SHANGHAI)
    admin = await signed_in(login, "admin")
    twelve = timedelta(hours=12)
    day = (await put_on(client, admin, READER, boundary - twelve, boundary)).json()
    night = (await put_on(client, admin, READER, boundary, boundary + twelve)).json()
    assert ("day", "night") == (day["label"], night["label"])
    readers = {READER: await signed_in(login, READER)}
    readers[SECOND_READER] = await signed_in(login, SECOND_READER)
    received = boundary - timedelta(minutes=5)
    plan: list[tuple[str | None, datetime | None]] = [
        (READER, boundary - timedelta(seconds=1)),
        (READER, boundary),
        (SECOND_READER, boundary),
        (None, None),
    ]
    for shade, (reader, read_at) in enumerate(plan, start=301):
        case_id, township = await nandun_case(client, login)
        ecg_id = (await send_file(client, township, case_id, tracing(shade))).json()["id"]
        if reader is not None:
            done = await read(client, readers[reader], ecg_id, finding="no_stemi")
            assert 200 == done.status_code, done.text
        await _at(db, ecg_id, received, read_at)
    period = {"from": str(yesterday), "to": str(yesterday)}
    found = await client.get(REPORT, params=period, headers=admin)
    assert 200 == found.status_code, found.text
    by_shift = {
        row["shift"]: (row["n"], row["read"], row["median_minutes"], row["share_within_target"])
        for row in found.json()["by_shift"]
    }
    assert {
        "day": (1, 1, round(299 / 60, 2), 1.0),
        "night": (1, 1, 5.0, 1.0),
        "off_rota": (1, 1, 5.0, 1.0),
        None: (1, 0, None, 0.0),
    } == by_shift
    assert 4 == found.json()["overall"]["n"]


async def test_the_report_has_no_shift_rows_for_a_period_without_ecgs(
    client: httpx.AsyncClient, login: Login
) -> None:
    """An empty period: by_shift is an empty list, next to the other groupings."""
    admin = await signed_in(login, "admin")
    long_ago = datetime(2020, 1, 1, tzinfo=UTC).date()
    found = (
        await client.get(REPORT, params={"from": str(long_ago), "to": str(long_ago)}, headers=admin)
    ).json()
    assert ([], [], 0) == (found["by_shift"], found["by_reader"], found["overall"]["n"])


async def test_the_csv_and_excel_exports_carry_the_shift_rows(
    client: httpx.AsyncClient, login: Login, db: AsyncSession
) -> None:
    """format=csv: a UTF-8 table with the shift rows (白班 / night shift in English);
    format=xlsx: the same rows in a workbook."""
    await empty_rota(db)
    await db.execute(text("UPDATE ecgs SET drill = true"))
    admin = await signed_in(login, "admin")
    day_start = datetime.now(SHANGHAI).replace(hour=8, minute=0, second=0, microsecond=0)
    assert (
        201
        == (
            await put_on(client, admin, READER, day_start, day_start + timedelta(hours=12))
        ).status_code
    )
    case_id, township = await nandun_case(client, login)
    ecg_id = (await send_file(client, township, case_id, tracing(311))).json()["id"]
    assert (
        200
        == (await read(client, await signed_in(login, READER), ecg_id, finding="stemi")).status_code
    )
    await _at(db, ecg_id, day_start + timedelta(hours=1), day_start + timedelta(hours=1, minutes=4))
    today = str(day_start.date())
    period = {"from": today, "to": today}
    csv_zh = await client.get(REPORT, params={**period, "format": "csv"}, headers=admin)
    assert 200 == csv_zh.status_code, csv_zh.text
    assert csv_zh.headers["content-type"].startswith("text/csv")
    lines = csv_zh.content.decode("utf-8-sig").splitlines()
    assert "班次,白班,1,1,4.0,4.0,1,1.0" in lines
    csv_en = await client.get(
        REPORT, params={**period, "format": "csv", "lang": "en"}, headers=admin
    )
    assert "rota shift,day shift,1,1,4.0,4.0,1,1.0" in csv_en.text.splitlines()
    xlsx = await client.get(REPORT, params={**period, "format": "xlsx"}, headers=admin)
    assert 200 == xlsx.status_code
    book = load_workbook(io.BytesIO(xlsx.content))
    rows = [list(row) for row in book.active.iter_rows(min_row=3, values_only=True)]
    assert ["班次", "白班", 1, 1, 4.0, 4.0, 1, 1.0] in rows
