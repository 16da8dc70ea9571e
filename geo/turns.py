"""The engine's graph with turn restrictions: turn-expanded only at the restricted junctions. Pure.

Every segment gives a directed edge source → target, and a two-way one also target → source.
At a junction with a turn restriction (its via node) the node is split:

- one *in-copy* per edge arriving there: that edge ends at its in-copy instead of the node;
- one *out-copy* per edge leaving there: that edge starts at its out-copy instead of the node;
- a turn edge (weight ``tiny``) from each in-copy to each out-copy the restrictions allow
  (``no_*`` forbids its one (from, to) pair; ``only_*`` forbids every other exit from its from
  segment; a U-turn back along the same segment is a turn like any other);
- a turn edge from the node itself to every out-copy: a trip that *starts* at the node has made
  no turn yet. Nothing arrives at the node itself.

Unrestricted junctions are untouched, so they cost nothing. Graph node ids: the real nodes
0..n-1, then the copies (``copy_node`` gives each copy's real node). A node's time is the minimum
over the node itself and its copies; ``arrivals`` lists, per restricted node, the in-copies where
a trip ending at the node (rather than on one of its roads) may stop.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

import numpy as np

from geo.road_arrays import BoolArray, FloatArray, IntArray, RoadArrays

NO_EDGE = -1  # the segment of a turn edge


@dataclass(frozen=True)
class TurnGraph:
    """The directed edges of the expanded graph, and where each segment's edges start and end."""

    node_count: int  # real nodes plus copies
    tails: IntArray
    heads: IntArray
    weights: FloatArray
    segments: IntArray  # the segment of each edge, NO_EDGE for a turn edge
    copy_node: IntArray  # the real node of each copy (graph node ``n + i``)
    # Per segment: the graph nodes its forward edge (source → target) leaves and reaches, and
    # its backward edge's (target → source; the real nodes where there is none).
    forward_tail: IntArray
    forward_head: IntArray
    backward_tail: IntArray
    backward_head: IntArray
    arrivals: dict[int, list[int]]  # restricted node → its in-copies
    restricted: BoolArray  # per real node


def turn_graph(arrays: RoadArrays, tiny: float) -> TurnGraph:
    """The graph of ``arrays`` expanded at its restricted junctions (self-loops left out)."""
    a = arrays
    n, count = len(a.node_lon), len(a.seg_source)
    seg = np.arange(count, dtype=np.int64)
    two_way = ~a.seg_oneway
    tails = np.concatenate([a.seg_source, a.seg_target[two_way]])
    heads = np.concatenate([a.seg_target, a.seg_source[two_way]])
    weights = np.maximum(np.concatenate([a.seg_minutes, a.seg_minutes[two_way]]), tiny)
    segs = np.concatenate([seg, seg[two_way]])
    forward = np.concatenate([np.ones(count, np.bool_), np.zeros(int(two_way.sum()), np.bool_)])
    keep = tails != heads
    tails, heads, weights, segs, forward = (
        tails[keep],
        heads[keep],
        weights[keep],
        segs[keep],
        forward[keep],
    )
    restricted = np.zeros(n, dtype=np.bool_)
    restricted[a.turn_via] = True
    into, out_of = restricted[heads], restricted[tails]
    in_edges, out_edges = np.nonzero(into)[0], np.nonzero(out_of)[0]
    in_copies = n + np.arange(len(in_edges), dtype=np.int64)
    out_copies = n + len(in_edges) + np.arange(len(out_edges), dtype=np.int64)
    copy_node = np.concatenate([heads[in_edges], tails[out_edges]])
    new_heads, new_tails = heads.copy(), tails.copy()
    new_heads[in_edges] = in_copies
    new_tails[out_edges] = out_copies
    turn_tails, turn_heads = _turns(a, heads, tails, segs, in_edges, out_edges, n)
    all_tails = np.concatenate([new_tails, turn_tails])
    all_heads = np.concatenate([new_heads, turn_heads])
    ends = _segment_ends(a, segs, forward, new_tails, new_heads)
    arrivals: dict[int, list[int]] = defaultdict(list)
    for edge, copy in zip(in_edges.tolist(), in_copies.tolist(), strict=True):
        arrivals[int(heads[edge])].append(copy)
    return TurnGraph(
        node_count=n + len(copy_node),
        tails=all_tails,
        heads=all_heads,
        weights=np.concatenate([weights, np.full(len(turn_tails), tiny)]),
        segments=np.concatenate([segs, np.full(len(turn_tails), NO_EDGE, dtype=np.int64)]),
        copy_node=copy_node.astype(np.int64),
        forward_tail=ends[0],
        forward_head=ends[1],
        backward_tail=ends[2],
        backward_head=ends[3],
        arrivals={node: copies for node, copies in arrivals.items()},
        restricted=restricted,
    )


def _turns(
    a: RoadArrays,
    heads: IntArray,
    tails: IntArray,
    segs: IntArray,
    in_edges: IntArray,
    out_edges: IntArray,
    n: int,
) -> tuple[IntArray, IntArray]:
    """The turn edges (tail, head): node → each of its out-copies, and in-copy → out-copy
    where the restrictions allow it."""
    forbidden: set[tuple[int, int, int]] = set()
    only: dict[tuple[int, int], set[int]] = defaultdict(set)
    for f, v, t, is_only in zip(
        a.turn_from.tolist(),
        a.turn_via.tolist(),
        a.turn_to.tolist(),
        a.turn_only.tolist(),
        strict=True,
    ):
        if is_only:
            only[(f, v)].add(t)
        else:
            forbidden.add((f, v, t))
    leaving: dict[int, list[tuple[int, int]]] = defaultdict(list)  # node → (out-copy, segment)
    out_start = n + len(in_edges)
    for i, edge in enumerate(out_edges.tolist()):
        leaving[int(tails[edge])].append((out_start + i, int(segs[edge])))
    turn_tails: list[int] = []
    turn_heads: list[int] = []
    for node, exits in leaving.items():
        for copy, _ in exits:
            turn_tails.append(node)
            turn_heads.append(copy)
    for i, edge in enumerate(in_edges.tolist()):
        node, came = int(heads[edge]), int(segs[edge])
        allowed = only.get((came, node))
        for copy, went in leaving.get(node, []):
            if (came, node, went) in forbidden or (allowed is not None and went not in allowed):
                continue
            turn_tails.append(n + i)
            turn_heads.append(copy)
    return np.array(turn_tails, dtype=np.int64), np.array(turn_heads, dtype=np.int64)


def _segment_ends(
    a: RoadArrays, segs: IntArray, forward: BoolArray, tails: IntArray, heads: IntArray
) -> tuple[IntArray, IntArray, IntArray, IntArray]:
    """Per segment, the graph nodes of its forward and backward edges (real nodes by default)."""
    forward_tail, forward_head = a.seg_source.copy(), a.seg_target.copy()
    backward_tail, backward_head = a.seg_target.copy(), a.seg_source.copy()
    forward_tail[segs[forward]] = tails[forward]
    forward_head[segs[forward]] = heads[forward]
    backward_tail[segs[~forward]] = tails[~forward]
    backward_head[segs[~forward]] = heads[~forward]
    return forward_tail, forward_head, backward_tail, backward_head
