"""Reading OSM turn restrictions (``type=restriction`` relations) onto a network's segments.

What is read: ``restriction:motorcar=*`` if present, else ``restriction=*``, one of the
``no_*`` and ``only_*`` values of ``geo.network`` (``no_left_turn``, ``no_right_turn``,
``no_straight_on``, ``no_u_turn``, ``no_entry``, ``no_exit``, ``only_left_turn``,
``only_right_turn``, ``only_straight_on``). Left out: restrictions for other vehicles only
(``restriction:bicycle`` ...), those with ``except`` naming ``motorcar``, other values
(``restriction:conditional`` is not read), and those whose ``via`` is a way (counted: only a via
node is modelled). Every ``from`` × ``to`` member pair is a restriction (``no_entry`` has several
``from`` ways, ``no_exit`` several ``to`` ways).

Mapping onto the network: the ``from`` segment is the piece of the from-way that ends at the via
node (or, two-way, touches it); the ``to`` segment the piece of the to-way that leaves it (or,
two-way, touches it). A member way that was not kept (not drivable, or outside the extract),
a via node that is not a junction of the network, or a way with no such piece or two of them is
*unmappable* and counted. Memory: one pass over the relations, keeping only restrictions.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import osmium
import osmium.filter
import osmium.osm

from geo.network import FORBIDDING_TURNS, ONLY_TURNS, RoadNetwork, TurnRestriction

KINDS = FORBIDDING_TURNS | ONLY_TURNS
# Why a restriction relation is not used (the counts say so).
SKIP_NOT_FOR_CARS, SKIP_KIND, SKIP_VIA_WAY = "not_for_cars", "other_kind", "via_way"
SKIP_MEMBERS = "incomplete_members"
# Unmappable: a member way not kept (not drivable, or outside the extract), the via node not a
# node of the network, or no single piece of a way arriving at (leaving) the via node.
SKIP_WAY_NOT_KEPT, SKIP_VIA_NOT_KEPT = "unmappable_way_not_kept", "unmappable_via_not_a_node"
SKIP_NO_PIECE = "unmappable_no_single_piece"


@dataclass(frozen=True)
class RawRestriction:
    """A restriction relation as read: kind, from-way ids, via node id, to-way ids."""

    relation: int
    kind: str
    from_ways: tuple[int, ...]
    via_node: int
    to_ways: tuple[int, ...]


@dataclass
class RestrictionCounts:
    """Restriction relations read, restrictions (from/to pairs) mapped, and the skipped by why."""

    relations: int = 0
    mapped: int = 0
    skipped: Counter[str] = field(default_factory=Counter)


def restriction_kind(tags: Mapping[str, str]) -> str | None:
    """The restriction value that applies to a car (an ambulance), or None."""
    excepted = {value.strip() for value in tags.get("except", "").split(";")}
    if "motorcar" in excepted:
        return None
    return tags.get("restriction:motorcar") or tags.get("restriction")


def read_raw_restrictions(path: Path, counts: RestrictionCounts) -> list[RawRestriction]:
    """The via-node restriction relations for cars in an OSM file."""
    found: list[RawRestriction] = []
    processor = osmium.FileProcessor(str(path), osmium.osm.RELATION).with_filter(
        osmium.filter.TagFilter(("type", "restriction"))
    )
    for relation in processor:
        if not isinstance(relation, osmium.osm.Relation):
            continue
        counts.relations += 1
        kind = restriction_kind({tag.k: tag.v for tag in relation.tags})
        if kind is None:
            counts.skipped[SKIP_NOT_FOR_CARS] += 1
            continue
        if kind not in KINDS:
            counts.skipped[SKIP_KIND] += 1
            continue
        members = [(m.type, m.ref, m.role) for m in relation.members]
        vias = [(kind_, ref) for kind_, ref, role in members if role == "via"]
        if any(kind_ != "n" for kind_, _ in vias):
            counts.skipped[SKIP_VIA_WAY] += 1
            continue
        from_ways = tuple(ref for t, ref, role in members if role == "from" and t == "w")
        to_ways = tuple(ref for t, ref, role in members if role == "to" and t == "w")
        if len(vias) != 1 or not from_ways or not to_ways:
            counts.skipped[SKIP_MEMBERS] += 1
            continue
        found.append(RawRestriction(relation.id, kind, from_ways, vias[0][1], to_ways))
    return found


def map_restrictions(
    network: RoadNetwork, raw: list[RawRestriction], counts: RestrictionCounts
) -> list[TurnRestriction]:
    """The restrictions on the network's segments and nodes (see the module's notes)."""
    wanted_ways = {way for r in raw for way in (*r.from_ways, *r.to_ways)}
    wanted_nodes = {r.via_node for r in raw}
    by_way: dict[int, list[int]] = defaultdict(list)
    for j, segment in enumerate(network.segments):
        if segment.osm_id in wanted_ways:
            by_way[segment.osm_id].append(j)
    node_index = {
        osm_id: i for i, osm_id in enumerate(network.node_osm_ids) if osm_id in wanted_nodes
    }
    mapped: list[TurnRestriction] = []
    for r in raw:
        via = node_index.get(r.via_node)
        pairs: list[tuple[int, int]] = []
        why = None
        for from_way in r.from_ways:
            for to_way in r.to_ways:
                came = _piece(network, by_way.get(from_way, []), via, arriving=True)
                went = _piece(network, by_way.get(to_way, []), via, arriving=False)
                if came is not None and went is not None:
                    pairs.append((came, went))
                elif not by_way.get(from_way) or not by_way.get(to_way):
                    why = SKIP_WAY_NOT_KEPT
        if via is None:
            why = SKIP_VIA_NOT_KEPT
        if via is None or len(pairs) < len(r.from_ways) * len(r.to_ways):
            counts.skipped[why or SKIP_NO_PIECE] += 1
            continue
        counts.mapped += 1
        mapped.extend(TurnRestriction(came, via, went, r.kind) for came, went in pairs)
    return mapped


def _piece(
    network: RoadNetwork, segments: list[int], via: int | None, arriving: bool
) -> int | None:
    """The one segment of a way that arrives at (or leaves) the via node; None if none or two."""
    if via is None:
        return None
    found = []
    for j in segments:
        s = network.segments[j]
        if s.source == s.target:
            continue
        end, other = (s.target, s.source) if arriving else (s.source, s.target)
        if end == via or (not s.oneway and other == via):
            found.append(j)
    return found[0] if len(found) == 1 else None


def read_restrictions(path: Path, network: RoadNetwork) -> RestrictionCounts:
    """Read the file's turn restrictions onto ``network`` (in place, with their counts in
    ``network.restriction_counts``); what was read and skipped."""
    counts = RestrictionCounts()
    raw = read_raw_restrictions(path, counts)
    network.restrictions = map_restrictions(network, raw, counts)
    network.restriction_counts = {
        "relations": counts.relations,
        "mapped": counts.mapped,
        "restrictions": len(network.restrictions),
        **dict(sorted(counts.skipped.items())),
    }
    return counts


SKIP_TEXT = {
    SKIP_NOT_FOR_CARS: "not for cars",
    SKIP_KIND: "another kind",
    SKIP_VIA_WAY: "via a way",
    SKIP_MEMBERS: "incomplete members",
    SKIP_WAY_NOT_KEPT: "a way not in the network",
    SKIP_VIA_NOT_KEPT: "the via node not in the network",
    SKIP_NO_PIECE: "no single piece of a way at the via node",
}


def describe_counts(counts: Mapping[str, int]) -> str:
    """One line for the import's output: what was made of the file's restriction relations."""
    line = (
        f"{counts.get('mapped', 0)} of {counts.get('relations', 0)} restriction relations applied"
        f" ({counts.get('restrictions', 0)} turns)"
    )
    skipped = [f"{counts[key]} {text}" for key, text in SKIP_TEXT.items() if counts.get(key)]
    return line + (f"; skipped: {', '.join(skipped)}" if skipped else "")
