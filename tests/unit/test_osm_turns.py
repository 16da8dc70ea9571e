"""Reading OSM turn restriction relations onto the network's segments (small .osm files written
by the test)."""

from __future__ import annotations

from pathlib import Path

from geo.osm import read_osm

# A crossing at node 1: 10 runs west-east through it, 11 ends there from the north, 12 leaves it
# south (one-way), 15 ends there from the north-east, 13 is a footway, 14 runs on from 5.
POINTS = {
    1: (104.0, 30.0),
    2: (103.99, 30.0),
    3: (104.01, 30.0),
    4: (104.0, 30.01),
    5: (104.0, 29.99),
    6: (103.99, 29.99),
    7: (104.0, 29.98),
    9: (104.01, 30.01),
}
WAYS = {
    10: ([2, 1, 3], {"highway": "primary"}),
    11: ([4, 1], {"highway": "secondary"}),
    12: ([1, 5], {"highway": "secondary", "oneway": "yes"}),
    13: ([1, 6], {"highway": "footway"}),
    14: ([5, 7], {"highway": "residential"}),
    15: ([9, 1], {"highway": "tertiary"}),
}
Member = tuple[str, int, str]
RELATIONS: dict[int, tuple[list[Member], dict[str, str]]] = {
    100: (
        [("way", 11, "from"), ("node", 1, "via"), ("way", 12, "to")],
        {"restriction": "no_left_turn"},
    ),
    # the from way passes through the via node: two pieces touch it
    101: (
        [("way", 10, "from"), ("node", 1, "via"), ("way", 10, "to")],
        {"restriction": "only_straight_on"},
    ),
    # a one-way from way that only leaves the via node
    102: (
        [("way", 12, "from"), ("node", 1, "via"), ("way", 11, "to")],
        {"restriction": "no_right_turn"},
    ),
    103: (
        [("way", 11, "from"), ("node", 1, "via"), ("way", 12, "to")],
        {"restriction:bicycle": "no_left_turn"},
    ),
    104: (
        [("way", 11, "from"), ("node", 1, "via"), ("way", 12, "to")],
        {"restriction": "no_left_turn", "except": "bicycle;motorcar"},
    ),
    105: (
        [("way", 11, "from"), ("way", 14, "via"), ("way", 12, "to")],
        {"restriction": "no_u_turn"},
    ),
    106: (
        [("way", 11, "from"), ("node", 1, "via"), ("way", 11, "to")],
        {"restriction": "only_straight_on", "restriction:motorcar": "no_u_turn"},
    ),
    107: (
        [("way", 11, "from"), ("way", 15, "from"), ("node", 1, "via"), ("way", 12, "to")],
        {"restriction": "no_entry"},
    ),
    108: (
        [("way", 13, "from"), ("node", 1, "via"), ("way", 12, "to")],
        {"restriction": "no_left_turn"},
    ),
    109: (
        [("way", 11, "from"), ("node", 1, "via"), ("way", 12, "to")],
        {"restriction": "no_turn_on_red"},
    ),
    110: (
        [("way", 13, "from"), ("node", 6, "via"), ("way", 13, "to")],
        {"restriction": "no_u_turn"},
    ),
}


def _xml() -> str:
    lines = ['<?xml version="1.0" encoding="UTF-8"?>', '<osm version="0.6" generator="test">']
    for node_id, (lon, lat) in POINTS.items():
        lines.append(f'  <node id="{node_id}" version="1" lat="{lat}" lon="{lon}"/>')
    for way_id, (refs, tags) in WAYS.items():
        lines.append(f'  <way id="{way_id}" version="1">')
        lines.extend(f'    <nd ref="{ref}"/>' for ref in refs)
        lines.extend(f'    <tag k="{k}" v="{v}"/>' for k, v in tags.items())
        lines.append("  </way>")
    for relation_id, (members, tags) in RELATIONS.items():
        lines.append(f'  <relation id="{relation_id}" version="1">')
        lines.extend(
            f'    <member type="{kind}" ref="{ref}" role="{role}"/>' for kind, ref, role in members
        )
        lines.extend(
            f'    <tag k="{k}" v="{v}"/>' for k, v in {"type": "restriction", **tags}.items()
        )
        lines.append("  </relation>")
    lines.append("</osm>")
    return "\n".join(lines)


def test_restrictions_are_read_onto_the_segments_at_the_via_node(tmp_path: Path) -> None:
    """Via-node restrictions for cars become (from segment, via node, to segment, kind); the rest
    are counted by why they were left out."""
    path = tmp_path / "crossing.osm"
    path.write_text(_xml(), encoding="utf-8")
    network = read_osm(path)
    ids = network.node_osm_ids

    def described(segment: int) -> tuple[int | None, int | None, int | None]:
        s = network.segments[segment]
        return (s.osm_id, ids[s.source], ids[s.target])

    found = sorted(
        (described(r.from_segment), ids[r.via_node], described(r.to_segment), r.kind)
        for r in network.restrictions
    )
    assert found == [
        ((11, 4, 1), 1, (11, 4, 1), "no_u_turn"),
        ((11, 4, 1), 1, (12, 1, 5), "no_entry"),
        ((11, 4, 1), 1, (12, 1, 5), "no_left_turn"),
        ((15, 9, 1), 1, (12, 1, 5), "no_entry"),
    ]
    assert network.restriction_counts == {
        "relations": 11,
        "mapped": 3,
        "restrictions": 4,
        "not_for_cars": 2,
        "other_kind": 1,
        "unmappable_no_single_piece": 2,
        "unmappable_via_not_a_node": 1,
        "unmappable_way_not_kept": 1,
        "via_way": 1,
    }
