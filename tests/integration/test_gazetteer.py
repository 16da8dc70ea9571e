"""The gazetteer on the demo county: Chinese names, pinyin, initials, ranking, and the API."""

from __future__ import annotations

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from dispatch.demo.county import DemoCounty, DemoPlace
from geo import gazetteer
from geo.pinyin import initials, to_pinyin
from tests.conftest import Login

VILLAGE = "王庄村"  # one village of that name in the demo county (v-0017, 东方街道)
TOWNSHIP = "王明口镇"


def demo_place(county: DemoCounty, name_zh: str) -> DemoPlace:
    """The only demo place with this Chinese name."""
    (place,) = [p for p in county.places if p.name_zh == name_zh]
    return place


async def add_village(db: AsyncSession, ident: str, name_zh: str, population: int) -> None:
    """A village in the test's transaction (rolled back afterwards)."""
    await db.execute(
        text(
            "INSERT INTO places (id, kind, name_zh, pinyin, initials, township_zh, population,"
            " location, synthetic) VALUES (:id, 'village', :name, :pinyin, :initials, '',"
            " :population, ST_SetSRID(ST_MakePoint(114.88, 33.44), 4326), false)"
        ),
        {
            "id": ident,
            "name": name_zh,
            "pinyin": to_pinyin(name_zh),
            "initials": initials(name_zh),
            "population": population,
        },
    )


async def ids(db: AsyncSession, query: str, limit: int = 20) -> list[str]:
    """The ids the gazetteer finds, in its order."""
    return [place.id for place in await gazetteer.search(db, query, limit)]


async def test_chinese_substring_finds_the_village(
    db: AsyncSession, demo_county: DemoCounty
) -> None:
    """A part of a Chinese name that is not its start finds the village; every hit contains it."""
    village = demo_place(demo_county, VILLAGE)
    found = await gazetteer.search(db, "庄村", limit=1000)
    assert village.id in [place.id for place in found]
    assert [] == [place.name_zh for place in found if "庄村" not in place.name_zh]
    expected = {p.id for p in demo_county.places if "庄村" in p.name_zh}
    assert expected == {place.id for place in found}


async def test_full_chinese_name_finds_the_village_first(
    db: AsyncSession, demo_county: DemoCounty
) -> None:
    """The full Chinese name of a village finds that village first."""
    assert demo_place(demo_county, VILLAGE).id == (await ids(db, VILLAGE))[0]


async def test_full_pinyin_finds_the_village(db: AsyncSession, demo_county: DemoCounty) -> None:
    """Toneless full pinyin ("wangzhuangcun") finds the village first."""
    assert demo_place(demo_county, VILLAGE).id == (await ids(db, "wangzhuangcun"))[0]


@pytest.mark.parametrize("query", ["Wang Zhuang", "WANGZHUANG", " wang zhuang cun ", "wang'zhuang"])
async def test_pinyin_with_spaces_capitals_and_apostrophes(
    db: AsyncSession, demo_county: DemoCounty, query: str
) -> None:
    """Pinyin typed with spaces, capitals or apostrophes finds the village first."""
    assert demo_place(demo_county, VILLAGE).id == (await ids(db, query))[0]


async def test_pinyin_initials_find_every_matching_place(
    db: AsyncSession, demo_county: DemoCounty
) -> None:
    """Pinyin initials ("wzc") find exactly the places whose initials start with them."""
    expected = {
        p.id for p in demo_county.places if p.initials.startswith("wzc") or "wzc" in p.pinyin
    }
    assert demo_place(demo_county, VILLAGE).id in expected
    assert expected == set(await ids(db, "wzc", limit=100))
    assert expected == set(await ids(db, "WZC", limit=100))


@pytest.mark.parametrize("query", ["王明口", "wangmingkou", "WMK"])
async def test_township_ranks_before_a_more_populous_village(
    db: AsyncSession, demo_county: DemoCounty, query: str
) -> None:
    """A township ranks before an equally good village match, even a far more populous one."""
    await add_village(db, "t-gaz-wmk", "王明口村", population=999_999)
    found = await ids(db, query)
    assert [demo_place(demo_county, TOWNSHIP).id, "t-gaz-wmk"] == found[:2]


@pytest.mark.parametrize("query", [VILLAGE, "wangzhuangcun"])
async def test_exact_match_ranks_first(
    db: AsyncSession, demo_county: DemoCounty, query: str
) -> None:
    """An exact name or pinyin match ranks before prefix matches with more people."""
    await add_village(db, "t-gaz-more", "王庄村东", population=999_999)
    await add_village(db, "t-gaz-big", "大王庄村", population=999_999)
    found = await ids(db, query)
    assert [demo_place(demo_county, VILLAGE).id, "t-gaz-more", "t-gaz-big"] == found[:3]


@pytest.mark.parametrize("query", ["%", "_", "%%", "王%村", "王_村", "w_z", "w%", "\\", "%庄"])
async def test_like_wildcards_are_taken_literally(db: AsyncSession, query: str) -> None:
    """% and _ in a query are characters to find, not wildcards: no place name holds them."""
    assert [] == await ids(db, query)


@pytest.mark.parametrize("query", ["qqqxxz", "火星基地", "   ", "zzzzzzzzzz"])
async def test_nonsense_finds_nothing(db: AsyncSession, query: str) -> None:
    """A query no place matches (or only blanks) returns an empty list."""
    assert [] == await ids(db, query)


async def test_places_endpoint_returns_the_village(
    client: httpx.AsyncClient, login: Login, demo_county: DemoCounty
) -> None:
    """GET /places?q= returns matching places with kind, township and WGS84 point."""
    village = demo_place(demo_county, VILLAGE)
    response = await client.get(
        "/api/v1/places", params={"q": "Wang Zhuang"}, headers=await login("dispatcher")
    )
    assert 200 == response.status_code, response.text
    first = response.json()[0]
    assert (village.id, "village", VILLAGE, village.pinyin, village.township_zh) == (
        first["id"],
        first["kind"],
        first["name_zh"],
        first["pinyin"],
        first["township_zh"],
    )
    assert (village.lon, village.lat) == pytest.approx((first["lon"], first["lat"]), abs=1e-6)


async def test_places_endpoint_answers_empty_list_for_wildcards(
    client: httpx.AsyncClient, login: Login
) -> None:
    """GET /places?q=% is an empty list, not every place."""
    response = await client.get(
        "/api/v1/places", params={"q": "%"}, headers=await login("dispatcher")
    )
    assert (200, []) == (response.status_code, response.json())


async def test_places_endpoint_accepts_a_50_character_query(
    client: httpx.AsyncClient, login: Login
) -> None:
    """A query of exactly 50 characters is allowed (and here finds nothing)."""
    response = await client.get(
        "/api/v1/places", params={"q": "w" * 50}, headers=await login("dispatcher")
    )
    assert (200, []) == (response.status_code, response.json())


async def test_places_endpoint_refuses_a_missing_or_too_long_query(
    client: httpx.AsyncClient, login: Login
) -> None:
    """q missing, empty or over 50 characters (or a bad limit) is a 422 problem."""
    headers = await login("dispatcher")
    bad: list[dict[str, str | int]] = [{}, {"q": ""}, {"q": "w" * 51}, {"q": "王庄", "limit": 0}]
    for params in bad:
        response = await client.get("/api/v1/places", params=params, headers=headers)
        assert 422 == response.status_code, (params, response.text)
        assert "application/problem+json" == response.headers["content-type"], params
        assert 422 == response.json()["status"], params
