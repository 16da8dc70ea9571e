"""GET /places finds a village named with its township, in either order (issue 13, item 13)."""

from __future__ import annotations

import httpx
import pytest

from tests.conftest import Login

NANDUN_WUZHUANG = "v-0052"  # 吴庄村, 南顿镇; another 吴庄村 is in 范集镇 (v-0314)


@pytest.mark.parametrize(
    "query",
    ["南顿镇吴庄", "吴庄村南顿镇", "南顿 吴庄", "nandun wuzhuang", "wuzhuangcun nandunzhen"],
)
async def test_township_and_village_together_find_that_village_first(
    client: httpx.AsyncClient, login: Login, query: str
) -> None:
    """The Nandun 吴庄村 comes first, before the other township's 吴庄村."""
    headers = await login("dispatcher")
    response = await client.get("/api/v1/places", params={"q": query}, headers=headers)
    assert 200 == response.status_code, response.text
    found = [p["id"] for p in response.json()]
    assert NANDUN_WUZHUANG == found[0]
    assert "v-0314" not in found[:1]


async def test_a_village_alone_still_lists_both_of_that_name(
    client: httpx.AsyncClient, login: Login
) -> None:
    """吴庄 alone: both 吴庄村, each with its township."""
    headers = await login("dispatcher")
    response = await client.get("/api/v1/places", params={"q": "吴庄村"}, headers=headers)
    found = {(p["id"], p["township_zh"]) for p in response.json()}
    assert {("v-0052", "南顿镇"), ("v-0314", "范集镇")} <= found
