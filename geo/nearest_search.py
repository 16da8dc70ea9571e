"""Nearest k by road with an early stop (issue 15: province scale, p99 under 10 ms). Pure.

One reversed Dijkstra from the target (a binary heap, compiled with numba) that stops as soon as
the next node to settle is farther than the k-th best candidate found so far: every candidate
not yet reached is at least that far, so the k best are final and exactly those of the search
without a limit. Nothing is of the graph's size per query: distances, predecessors and the
"settled" marks live in buffers kept between queries and reset only where the search wrote
(the touched nodes), so a query costs what it settles, not the network's 640,000 nodes.

A candidate is reached through *entries* (graph node, minutes from there to the candidate),
the same ones ``TravelTimeEngine.at_points`` reads for a reversed search: the node its
segment's forward edge reaches (from the far end), the node its backward edge reaches (two-way
segments), or the junction node itself (and its copies) when the point is at a junction.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
from numba import njit

from geo.road_arrays import FloatArray, IntArray

NOT_REACHED = -1  # predecessor of a start node's virtual parent, or of an untouched node


@njit(cache=True, nogil=True)
def _kth(best: FloatArray, k: int) -> float:  # pragma: no cover - compiled
    """The k-th smallest value of ``best`` (k <= len(best))."""
    top = np.full(k, np.inf)
    for value in best:
        if value < top[k - 1]:
            i = k - 1
            while i > 0 and top[i - 1] > value:
                top[i] = top[i - 1]
                i -= 1
            top[i] = value
    return float(top[k - 1])


@njit(cache=True, nogil=True)
def _search(  # pragma: no cover - compiled
    indptr: npt.NDArray[np.int32],
    indices: npt.NDArray[np.int32],
    data: FloatArray,
    starts: IntArray,
    start_costs: FloatArray,
    virtual: int,
    entry_node: IntArray,
    entry_candidate: IntArray,
    entry_minutes: FloatArray,
    best: FloatArray,
    k: int,
    max_minutes: float,
    entry_head: IntArray,
    dist: FloatArray,
    pred: IntArray,
    pred_edge: IntArray,
    done: npt.NDArray[np.bool_],
    touched: IntArray,
    heap_d: FloatArray,
    heap_n: IntArray,
) -> int:
    """Search until the k best candidates are final (``best`` updated in place). Returns the
    number of touched nodes (``touched[:count]``), or -1 if the heap buffers were too small."""
    entry_next = np.full(len(entry_node), -1, dtype=np.int64)
    for e in range(len(entry_node)):
        entry_next[e] = entry_head[entry_node[e]]
        entry_head[entry_node[e]] = e
    count, size, overflow = 0, 0, False
    for i in range(len(starts)):
        node, cost = starts[i], start_costs[i]
        if cost < dist[node]:
            if dist[node] == np.inf:
                touched[count] = node
                count += 1
            dist[node], pred[node] = cost, virtual
            size = _push(heap_d, heap_n, size, cost, node)
    kth = _kth(best, k)
    while size > 0:
        d, u = heap_d[0], heap_n[0]
        size = _pop(heap_d, heap_n, size)
        if done[u]:
            continue
        if d > kth or d > max_minutes:
            break
        done[u] = True
        e, improved = entry_head[u], False
        while e >= 0:
            c, t = entry_candidate[e], d + entry_minutes[e]
            if t < best[c]:
                best[c] = t
                improved = improved or t < kth
            e = entry_next[e]
        if improved:
            kth = _kth(best, k)
        for j in range(indptr[u], indptr[u + 1]):
            v, nd = indices[j], d + data[j]
            if nd < dist[v] and v != virtual:
                if size >= len(heap_d):
                    overflow = True
                    break
                if dist[v] == np.inf:
                    touched[count] = v
                    count += 1
                dist[v], pred[v], pred_edge[v] = nd, u, j
                size = _push(heap_d, heap_n, size, nd, v)
        if overflow:
            break
    for e in range(len(entry_node)):
        entry_head[entry_node[e]] = -1
    return -1 if overflow else count


@njit(cache=True, nogil=True)
def _push(
    heap_d: FloatArray, heap_n: IntArray, size: int, d: float, n: int
) -> int:  # pragma: no cover - compiled
    i = size
    heap_d[i], heap_n[i] = d, n
    while i > 0:
        parent = (i - 1) // 2
        if heap_d[parent] <= heap_d[i]:
            break
        heap_d[i], heap_d[parent] = heap_d[parent], heap_d[i]
        heap_n[i], heap_n[parent] = heap_n[parent], heap_n[i]
        i = parent
    return size + 1


@njit(cache=True, nogil=True)
def _pop(heap_d: FloatArray, heap_n: IntArray, size: int) -> int:  # pragma: no cover - compiled
    size -= 1
    heap_d[0], heap_n[0] = heap_d[size], heap_n[size]
    i = 0
    while True:
        left, smallest = 2 * i + 1, i
        if left < size and heap_d[left] < heap_d[smallest]:
            smallest = left
        if left + 1 < size and heap_d[left + 1] < heap_d[smallest]:
            smallest = left + 1
        if smallest == i:
            return size
        heap_d[i], heap_d[smallest] = heap_d[smallest], heap_d[i]
        heap_n[i], heap_n[smallest] = heap_n[smallest], heap_n[i]
        i = smallest


@njit(cache=True, nogil=True)
def tree_meters(
    node: int,
    pred: IntArray,
    pred_edge: IntArray,
    edge_segment: IntArray,
    seg_length_m: FloatArray,
    virtual: int,
) -> tuple[float, int]:  # pragma: no cover - compiled
    """Metres along the search tree from ``node`` to the start, and the node the path ends at
    (turn edges, segment -1, add nothing)."""
    meters = 0.0
    while pred[node] != virtual and pred[node] >= 0:
        segment = edge_segment[pred_edge[node]]
        if segment >= 0:
            meters += seg_length_m[segment]
        node = pred[node]
    return meters, node


@njit(cache=True, nogil=True)
def _reset(
    touched: IntArray, count: int, dist: FloatArray, pred: IntArray, done: npt.NDArray[np.bool_]
) -> None:  # pragma: no cover - compiled
    for i in range(count):
        node = touched[i]
        dist[node], pred[node], done[node] = np.inf, NOT_REACHED, False


class EarlyStopSearch:
    """The buffers of one graph's searches (one search at a time: the caller holds a lock)."""

    def __init__(self, node_count: int, heap_size: int = 1 << 16) -> None:
        self.dist = np.full(node_count, np.inf)
        self.pred = np.full(node_count, NOT_REACHED, dtype=np.int64)
        self.pred_edge = np.full(node_count, NOT_REACHED, dtype=np.int64)  # position in the CSR
        self.done = np.zeros(node_count, dtype=np.bool_)
        self.touched = np.empty(node_count, dtype=np.int64)
        self.entry_head = np.full(node_count, -1, dtype=np.int64)
        self.heap_d = np.empty(heap_size)
        self.heap_n = np.empty(heap_size, dtype=np.int64)
        self.count = 0

    def run(
        self,
        graph_arrays: tuple[npt.NDArray[np.int32], npt.NDArray[np.int32], FloatArray],
        starts: list[tuple[int, float]],
        virtual: int,
        entries: tuple[IntArray, IntArray, FloatArray],
        best: FloatArray,
        k: int,
        max_minutes: float,
    ) -> None:
        """Search (``best`` updated in place); ``dist``/``pred`` hold the settled nodes' times
        and tree until ``reset``."""
        indptr, indices, data = graph_arrays
        nodes = np.array([n for n, _ in starts], dtype=np.int64)
        costs = np.array([c for _, c in starts], dtype=np.float64)
        while True:
            saved = best.copy()
            count = _search(
                indptr, indices, data, nodes, costs, virtual, *entries, best, k, max_minutes,
                self.entry_head, self.dist, self.pred, self.pred_edge, self.done, self.touched,
                self.heap_d, self.heap_n,
            )  # fmt: skip
            if count >= 0:
                self.count = count
                return
            self.dist.fill(np.inf)  # the buffers are too small: clear everything, go again
            self.pred.fill(NOT_REACHED)
            self.done.fill(False)
            best[:] = saved
            self.heap_d = np.empty(4 * len(self.heap_d))
            self.heap_n = np.empty(4 * len(self.heap_n), dtype=np.int64)

    def reset(self) -> None:
        """Clear what the last search wrote."""
        _reset(self.touched, self.count, self.dist, self.pred, self.done)
        self.count = 0
