"""The gazetteer: find villages and townships by Chinese name, pinyin or pinyin initials."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import ColumnElement, case, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from geo.models import Place
from geo.pinyin import normalize_query


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def has_cjk(text: str) -> bool:
    """Whether the text holds a Chinese character."""
    return any("\u3400" <= char <= "\u9fff" for char in text)


async def search(db: AsyncSession, query: str, limit: int = 20) -> Sequence[Place]:
    """Places matching the query: exact matches first, then prefixes, then the rest."""
    needle = normalize_query(query)
    if not needle:
        return []
    pattern = _escape_like(needle)
    if has_cjk(needle):
        column = Place.name_zh
        condition: ColumnElement[bool] = column.like(f"%{pattern}%", escape="\\")
        rank = case((column == needle, 0), (column.like(f"{pattern}%", escape="\\"), 1), else_=2)
    else:
        condition = or_(
            Place.pinyin.like(f"%{pattern}%", escape="\\"),
            Place.initials.like(f"{pattern}%", escape="\\"),
        )
        rank = case(
            (Place.pinyin == needle, 0),
            (Place.pinyin.like(f"{pattern}%", escape="\\"), 1),
            (Place.initials == needle, 2),
            else_=3,
        )
    kind_rank = case((Place.kind == "county", 0), (Place.kind == "township", 1), else_=2)
    statement = (
        select(Place)
        .where(condition)
        .order_by(rank, kind_rank, Place.population.desc().nulls_last(), Place.id)
        .limit(limit)
    )
    return (await db.scalars(statement)).all()


async def nearest(
    db: AsyncSession, lon: float, lat: float, within_m: float = 3000.0
) -> Place | None:
    """The named place (village, township, county town) nearest the point, if one is within
    ``within_m`` metres (the village a crew is sent to)."""
    point = func.ST_SetSRID(func.ST_MakePoint(lon, lat), 4326)
    statement = (
        select(Place)
        .where(func.ST_DWithin(func.Geography(Place.location), func.Geography(point), within_m))
        .order_by(func.ST_Distance(func.Geography(Place.location), func.Geography(point)))
        .limit(1)
    )
    return await db.scalar(statement)
