"""The engine's search graph as arrays: the turn-expanded graph (``geo.turns``) as compressed
sparse rows, forward and reversed, and the largest strongly connected component. Pure.

Both matrices carry one extra row, the *virtual node* a search starts from, with START_SLOTS
entries at the very end of ``data``/``indices``: a search writes its starts (node, cost) into
those slots instead of copying the whole graph (issue 15: at province scale, ~2.3 M edges, the
copy alone cost milliseconds). Unused slots are self-loops of the virtual node, which a search
ignores. Everything here is a plain array, so ``geo.road_cache`` can memory-map it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import connected_components

from geo.road_arrays import BoolArray, IntArray, LocalProjection, RoadArrays, SegmentCoords
from geo.segment_grid import SegmentGrid, build_grid
from geo.turns import TurnGraph, turn_graph

START_SLOTS = 64


@dataclass(frozen=True)
class EngineGraph:
    """What the engine searches: the turn graph, its CSR matrices and the main component."""

    turns: TurnGraph
    forward: csr_matrix
    forward_seg: IntArray  # the segment of each stored forward edge (NO_EDGE: a turn)
    reverse: csr_matrix
    reverse_seg: IntArray
    in_main_component: BoolArray  # per segment: both ends in the largest SCC
    grid: SegmentGrid  # the snapping index (projected pieces in grid cells)

    @property
    def virtual(self) -> int:
        """The virtual start node (the last row)."""
        return self.turns.node_count


def build_graph(arrays: RoadArrays, tiny: float) -> EngineGraph:
    """The search graph of ``arrays`` (CPU work, all vectorised)."""
    turns = turn_graph(arrays, tiny)
    forward, forward_seg = _csr(turns, reverse=False)
    reverse, reverse_seg = _csr(turns, reverse=True)
    flat = SegmentCoords.of(arrays.seg_coords)
    x, y = projection_of(arrays).forward(flat.points[:, 0], flat.points[:, 1])
    return EngineGraph(
        turns,
        forward,
        forward_seg,
        reverse,
        reverse_seg,
        main_component_segments(arrays),
        build_grid(np.column_stack([x, y]), flat.offsets),
    )


def projection_of(arrays: RoadArrays) -> LocalProjection:
    """The engine's local metric projection: around the mean of the nodes."""
    return LocalProjection(float(np.mean(arrays.node_lon)), float(np.mean(arrays.node_lat)))


def _csr(turns: TurnGraph, reverse: bool) -> tuple[csr_matrix, IntArray]:
    """The graph (or its reverse) with the virtual row and its start slots.

    Parallel edges keep the fastest; the second array maps each stored edge to its segment."""
    tails, heads, weights, segs = turns.tails, turns.heads, turns.weights, turns.segments
    if reverse:
        tails, heads = heads, tails
    order = np.lexsort((weights, heads, tails))
    tails, heads, weights, segs = tails[order], heads[order], weights[order], segs[order]
    first = np.ones(len(tails), dtype=np.bool_)
    first[1:] = (tails[1:] != tails[:-1]) | (heads[1:] != heads[:-1])
    tails, heads, weights, segs = tails[first], heads[first], weights[first], segs[first]
    virtual = turns.node_count
    n = virtual + 1
    counts = np.bincount(tails, minlength=n)
    counts[virtual] = START_SLOTS
    indptr = np.concatenate([[0], np.cumsum(counts)]).astype(np.int32)
    data = np.concatenate([weights.astype(np.float64), np.ones(START_SLOTS)])
    indices = np.concatenate([heads, np.full(START_SLOTS, virtual)]).astype(np.int32)
    segs = np.concatenate([segs, np.full(START_SLOTS, -1, dtype=np.int64)])
    return csr_from_arrays(data, indices, indptr), segs


def csr_from_arrays(
    data: npt.NDArray[np.float64], indices: npt.NDArray[np.int32], indptr: npt.NDArray[np.int32]
) -> csr_matrix:
    """A square CSR matrix over the given arrays, without copying them (they may be mapped)."""
    n = len(indptr) - 1
    matrix = csr_matrix((n, n), dtype=np.float64)
    matrix.data, matrix.indices, matrix.indptr = data, indices, indptr
    return matrix


def main_component_segments(arrays: RoadArrays) -> BoolArray:
    """Segments with both ends in the largest strongly connected part of the network: the part
    every ambulance can reach and leave. Pieces joined to it only by roads the import dropped
    (private service roads, tracks, parking aisles) are islands (issue 15)."""
    a = arrays
    n = len(a.node_lon)
    two_way = ~a.seg_oneway
    tails = np.concatenate([a.seg_source, a.seg_target[two_way]])
    heads = np.concatenate([a.seg_target, a.seg_source[two_way]])
    graph = csr_matrix((np.ones(len(tails)), (tails, heads)), shape=(n, n))
    _, labels = connected_components(graph, directed=True, connection="strong")
    in_main = labels == int(np.bincount(labels).argmax())
    result: BoolArray = in_main[a.seg_source] & in_main[a.seg_target]
    return result
