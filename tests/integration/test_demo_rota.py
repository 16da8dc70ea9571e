"""The demo county's ECG rota (synthetic): the demo reader on the day shifts from yesterday to
a week ahead, added once however often the demo is loaded, and removed by the reset (before
the demo users it names)."""

from __future__ import annotations

from datetime import UTC, datetime, time
from zoneinfo import ZoneInfo

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from dispatch.demo.county import DemoCounty
from dispatch.demo.load import reset_demo
from dispatch.demo.rota import DEMO_READER, NOTE, seed_demo_rota

SHANGHAI = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 12, 4, 1, 30, tzinfo=UTC)  # 09:30 in Xiangcheng


async def test_the_demo_rota_is_nine_synthetic_day_shifts_added_once(db: AsyncSession) -> None:
    """Yesterday to a week ahead, 08:00-20:00 local, synthetic, labelled day; again: none."""
    await db.execute(text("DELETE FROM ecg_rota_shifts"))
    assert 9 == await seed_demo_rota(db, NOW)
    assert 0 == await seed_demo_rota(db, NOW)
    shifts = (
        await db.execute(
            text(
                "SELECT s.starts_at, s.ends_at, s.label, s.synthetic, s.note, u.username"
                " FROM ecg_rota_shifts s JOIN users u ON u.id = s.user_id ORDER BY s.starts_at"
            )
        )
    ).all()
    assert {(DEMO_READER, "day", True, NOTE)} == {(s[5], s[2], s[3], s[4]) for s in shifts}
    local = [(s.starts_at.astimezone(SHANGHAI), s.ends_at.astimezone(SHANGHAI)) for s in shifts]
    assert {(time(8), time(20))} == {(start.time(), end.time()) for start, end in local}
    assert ("2026-12-03", "2026-12-11") == (str(local[0][0].date()), str(local[-1][0].date()))


async def test_the_reset_removes_the_rota_before_the_users(
    db: AsyncSession, demo_county: DemoCounty
) -> None:
    """``demo load --reset`` deletes the demo reader although shifts name it (no FK error)."""
    await seed_demo_rota(db, NOW)
    await reset_demo(db, demo_county)
    await db.flush()
    assert 0 == await db.scalar(text("SELECT count(*) FROM ecg_rota_shifts WHERE synthetic"))
    assert 0 == await db.scalar(
        text("SELECT count(*) FROM users WHERE username = :u"), {"u": DEMO_READER}
    )
