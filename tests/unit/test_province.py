"""The generated province network and the engine's province-scale search (issue 15): start
slots and a bounded search answer as point-to-point routes and a plain unbounded search do."""

from __future__ import annotations

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import dijkstra

from geo.engine import ENGINE_TINY, TravelTimeEngine
from geo.engine_graph import START_SLOTS
from geo.nearest_search import EarlyStopSearch
from geo.province import province_arrays
from geo.road_arrays import SegmentCoords


def test_the_generator_is_deterministic_and_has_one_way_pairs_and_restrictions() -> None:
    """Same size and seed, same arrays; arterial pairs are one-way; restricted turns exist."""
    a, b = province_arrays(30, 4), province_arrays(30, 4)
    assert np.array_equal(a.seg_source, b.seg_source)
    assert np.array_equal(a.seg_length_m, b.seg_length_m)
    assert isinstance(a.seg_coords, SegmentCoords)
    assert a.seg_oneway.any()
    assert not a.seg_oneway.all()
    assert len(a.turn_via) >= 1
    assert not np.array_equal(province_arrays(30, 5).node_lon, a.node_lon)


def test_the_flat_coordinates_are_a_sequence_of_polylines() -> None:
    """SegmentCoords behaves as the list of arrays it replaces."""
    lines = [np.array([[0.0, 0.0], [1.0, 1.0]]), np.array([[1.0, 1.0], [2.0, 1.5], [3.0, 1.0]])]
    flat = SegmentCoords.of(lines)
    assert len(flat) == 2
    assert [x.tolist() for x in flat] == [x.tolist() for x in lines]
    assert flat[-1].tolist() == lines[1].tolist()
    assert [x.tolist() for x in flat[1:]] == [lines[1].tolist()]


def _plain_times(engine: TravelTimeEngine, starts: list[tuple[int, float]]) -> np.ndarray:
    """Node times of an unbounded scipy Dijkstra over a copy of the reversed graph with the
    start row appended (the search before the start slots)."""
    base = engine.graph.reverse
    body = len(base.data) - START_SLOTS
    indptr = base.indptr.copy()
    indptr[-1] = indptr[-2] + len(starts)
    data = np.concatenate([base.data[:body], [max(c, ENGINE_TINY) for _, c in starts]])
    indices = np.concatenate([base.indices[:body], [n for n, _ in starts]])
    graph = csr_matrix((data, indices.astype(np.int32), indptr), shape=base.shape)
    return np.asarray(dijkstra(graph, directed=True, indices=engine.graph.virtual))


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 10_000), size=st.integers(5, 12))
def test_nearest_equals_routes_and_a_plain_unbounded_search(seed: int, size: int) -> None:
    """On generated provinces with one-way pairs, missing roads and restricted turns, the
    bounded slotted nearest-5 equals ranking every candidate by its own route, and the
    slotted search's times equal a plain unbounded Dijkstra's."""
    arrays = province_arrays(size, seed, restricted_share=0.1)
    engine = TravelTimeEngine(arrays)
    rng = np.random.default_rng(seed)
    lon = rng.uniform(arrays.node_lon.min(), arrays.node_lon.max(), 25)
    lat = rng.uniform(arrays.node_lat.min(), arrays.node_lat.max(), 25)
    candidates = [(f"a{i}", float(lon[i]), float(lat[i])) for i in range(20)]
    for i in range(20, 25):
        target = engine.snap(float(lon[i]), float(lat[i]))
        ranked = engine.nearest(target, candidates, 5)
        by_route = []
        for key, x, y in candidates:
            route = engine.route(engine.snap(x, y), target)
            if route is not None:
                by_route.append((route.minutes, key))
        expected = sorted(by_route)[:5]
        assert [r.key for r in ranked] == [k for _, k in expected]
        assert np.allclose([r.minutes for r in ranked], [m for m, _ in expected], atol=1e-9)
        starts = engine._starts(target, True)
        slotted = engine.times_from([target], reverse=True)
        plain = engine._node_view(_plain_times(engine, starts))[: len(slotted)]
        assert np.array_equal(slotted, plain)


def test_more_starts_than_slots_fall_back_to_a_copy_with_the_same_times() -> None:
    """Times from more origins than there are start slots equal the minimum over the origins."""
    arrays = province_arrays(12, 3)
    engine = TravelTimeEngine(arrays)
    rng = np.random.default_rng(3)
    lon = rng.uniform(arrays.node_lon.min(), arrays.node_lon.max(), START_SLOTS)
    lat = rng.uniform(arrays.node_lat.min(), arrays.node_lat.max(), START_SLOTS)
    snaps = [engine.snap(float(x), float(y)) for x, y in zip(lon, lat, strict=True)]
    together = engine.times_from(snaps)
    one_by_one = np.min([engine.times_from([s]) for s in snaps], axis=0)
    assert np.allclose(together, one_by_one, atol=1e-9)


def test_a_search_that_outgrows_its_heap_grows_it_and_answers_the_same() -> None:
    """With a two-entry heap the nearest search starts over with bigger buffers, same answer."""
    arrays = province_arrays(14, 9, restricted_share=0.1)
    engine = TravelTimeEngine(arrays)
    rng = np.random.default_rng(9)
    lon = rng.uniform(arrays.node_lon.min(), arrays.node_lon.max(), 31)
    lat = rng.uniform(arrays.node_lat.min(), arrays.node_lat.max(), 31)
    candidates = [(f"a{i}", float(lon[i]), float(lat[i])) for i in range(30)]
    target = engine.snap(float(lon[30]), float(lat[30]))
    expected = engine.nearest(target, candidates, 5)
    engine._early = EarlyStopSearch(engine._virtual + 1, heap_size=2)
    assert engine.nearest(target, candidates, 5) == expected
    assert len(engine._early.heap_d) > 2
