"""A query naming a township and a village together, in either order, Chinese or pinyin."""

from __future__ import annotations

import pytest

from geo.gazetteer import compound_parts, township_stems

TOWNSHIPS = ["南顿镇", "范集镇", "张庄乡", "千佛阁街道"]


def test_a_township_is_written_with_or_without_its_suffix_in_chinese_or_pinyin() -> None:
    """南顿镇: its name, 南顿, and their pinyin, longest first."""
    assert ["nandunzhen", "nandun", "南顿镇", "南顿"] == township_stems("南顿镇")
    assert "qianfoge" in township_stems("千佛阁街道")  # the place-name reading of 佛


@pytest.mark.parametrize(
    ("query", "parts"),
    [
        ("南顿镇吴庄", [("南顿镇", "吴庄")]),
        ("吴庄村南顿镇", [("南顿镇", "吴庄")]),
        ("南顿吴庄", [("南顿镇", "吴庄")]),
        ("nandunzhenwuzhuang", [("南顿镇", "wuzhuang")]),
        ("wuzhuangcunnandun", [("南顿镇", "wuzhuang")]),
    ],
)
def test_township_and_village_in_either_order(query: str, parts: list[tuple[str, str]]) -> None:
    """The township is taken out and the rest, without 村, names the village."""
    assert parts == compound_parts(query, TOWNSHIPS)


@pytest.mark.parametrize("query", ["吴庄", "南顿镇", "张庄村", "zhangzhuangcun", "南顿镇x"])
def test_a_plain_name_is_not_a_compound(query: str) -> None:
    """A village alone, a township alone, or a village named like a township: no compound."""
    assert [] == compound_parts(query, TOWNSHIPS)
