"""The demo county's ECG readers' rota (synthetic, 合成演示排班): the demo reader ``ecg-reader``
on the day shift, 08:00 to 20:00 Xiangcheng time, from yesterday to a week ahead; nights are
left open, so at night nobody is on duty and an unread ECG escalates to every reader (the
fallback, shown on the /ecg page). Loading again adds the days not yet on the rota."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import delete, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from alerts.ecg_rota import shift_label
from alerts.models import EcgRotaShift
from units.models import User

DEMO_TIME_ZONE = "Asia/Shanghai"  # the demo county, Xiangcheng (Henan)
DEMO_READER = "ecg-reader"
DAY_SHIFT = (time(8, 0), time(20, 0))
DAYS_BEFORE, DAYS_AHEAD = 1, 7
NOTE = "合成演示排班 / synthetic demo rota"


async def seed_demo_rota(db: AsyncSession, now: datetime) -> int:
    """Put the demo reader on the day shifts from yesterday to a week ahead; how many added."""
    reader_id = await db.scalar(select(User.id).where(User.username == DEMO_READER))
    if reader_id is None:
        return 0
    zone = ZoneInfo(DEMO_TIME_ZONE)
    today = now.astimezone(zone).date()
    added = 0
    for offset in range(-DAYS_BEFORE, DAYS_AHEAD + 1):
        day = today + timedelta(days=offset)
        starts = datetime.combine(day, DAY_SHIFT[0], zone)
        ends = datetime.combine(day, DAY_SHIFT[1], zone)
        taken = await db.scalar(
            select(EcgRotaShift.id).where(
                EcgRotaShift.user_id == reader_id,
                EcgRotaShift.starts_at < ends,
                EcgRotaShift.ends_at > starts,
            )
        )
        if taken is not None:
            continue
        db.add(
            EcgRotaShift(
                user_id=reader_id,
                starts_at=starts,
                ends_at=ends,
                label=shift_label(starts, DEMO_TIME_ZONE),
                note=NOTE,
                synthetic=True,
                created_by="demo",
            )
        )
        added += 1
    await db.flush()
    return added


async def remove_demo_rota(db: AsyncSession, usernames: Sequence[str]) -> None:
    """Delete the synthetic shifts and every shift of the demo users (before the users go)."""
    users = select(User.id).where(User.username.in_(usernames))
    await db.execute(
        delete(EcgRotaShift).where(
            or_(EcgRotaShift.synthetic.is_(True), EcgRotaShift.user_id.in_(users))
        )
    )
