"""The gazetteer: find villages and townships by Chinese name, pinyin or pinyin initials."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from sqlalchemy import ColumnElement, case, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from geo.models import Place
from geo.pinyin import normalize_query, to_pinyin


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def has_cjk(text: str) -> bool:
    """Whether the text holds a Chinese character."""
    return any("\u3400" <= char <= "\u9fff" for char in text)


# What a township's name may end with; a caller often says the name without it (南顿 for 南顿镇).
TOWNSHIP_SUFFIXES = ("街道办事处", "街道", "镇", "乡")


def township_stems(township: str) -> list[str]:
    """The ways a township is written in a query, longest first: its name, the name without its
    suffix, and the pinyin of both ("南顿镇", "南顿", "nandunzhen", "nandun")."""
    short = next((township[: -len(s)] for s in TOWNSHIP_SUFFIXES if township.endswith(s)), "")
    names = [township, short] if len(short) >= 2 else [township]
    stems = [*names, *(to_pinyin(name) for name in names)]
    return sorted({stem for stem in stems if stem}, key=len, reverse=True)


def compound_parts(needle: str, townships: Iterable[str]) -> list[tuple[str, str]]:
    """A query naming a township and a village in either order ("南顿镇吴庄", "吴庄村南顿镇",
    "nandun wuzhuang"): each (township, the rest) it can be read as, the rest non-empty."""
    parts = []
    for township in townships:
        for stem in township_stems(township):
            at = needle.find(stem)
            if at < 0:
                continue
            rest = _village_part(needle[:at] + needle[at + len(stem) :])
            if rest:
                parts.append((township, rest))
            break  # the longest way it is written
    return parts


def _village_part(rest: str) -> str:
    """What names the village, without a trailing 村/cun; "" when too little is left to name
    one (so "张庄村" is not read as "张庄乡" and "村")."""
    for suffix in ("村", "cun"):
        rest = rest.removesuffix(suffix)
    return rest if len(rest) >= (2 if has_cjk(rest) else 3) else ""


async def search(db: AsyncSession, query: str, limit: int = 20) -> Sequence[Place]:
    """Places matching the query: a township and a village named together first (in either
    order), then exact matches, then prefixes, then the rest."""
    needle = normalize_query(query)
    if not needle:
        return []
    townships = (await db.scalars(select(Place.township_zh).distinct())).all()
    found: dict[str, Place] = {}
    for township, rest in compound_parts(needle, [t for t in townships if t]):
        for place in await _matching(db, rest, limit, township):
            found.setdefault(place.id, place)
    for place in await _matching(db, needle, limit):
        found.setdefault(place.id, place)
    return list(found.values())[:limit]


async def _matching(
    db: AsyncSession, needle: str, limit: int, township: str | None = None
) -> Sequence[Place]:
    """Places whose name, pinyin or initials match ``needle`` (in ``township`` if given)."""
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
    if township is not None:
        condition = condition & (Place.township_zh == township) & (Place.kind != "township")
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
