"""The engine's arrays in files, memory-mapped by every server process (issue 15: province scale).

One directory per stored network, ``ROOT/network-<key>/`` (``road_store.network_key``: the
version, and a hash of the database and the import's time, so that two databases with the same
version number never share files): one ``.npy`` file per array and
``manifest.json`` (written last) naming each file's dtype, shape and size. It is written into a
temporary directory and renamed into place, so a reader sees all of it or none of it. A reader
refuses a directory whose manifest is missing, of another version or format, or whose files do
not match it (a torn or partial write): the caller rebuilds and writes it again.

Files are opened with ``np.load(..., mmap_mode=...)``: the pages are the page cache's, shared by
every process that maps them, so N workers hold one copy of the graph, not N. Read-only, except
the CSR ``data``/``indices`` arrays, mapped copy-on-write: a search writes its start slots
(``geo.engine_graph``) into the last page only, which becomes private to that process.
Snapping searches the mapped grid (``geo.segment_grid``): no shapely object per segment.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from pathlib import Path
from typing import Any, Literal

import numpy as np
import numpy.typing as npt

from geo.engine_graph import EngineGraph, csr_from_arrays
from geo.road_arrays import RoadArrays, SegmentCoords
from geo.segment_grid import SegmentGrid
from geo.turns import TurnGraph

FORMAT = 2
MANIFEST = "manifest.json"
_COPY_ON_WRITE = frozenset({"forward_data", "forward_indices", "reverse_data", "reverse_indices"})


def cache_dir(root: Path, key: str) -> Path:
    """The directory of one stored network's files."""
    return root / f"network-{key}"


def _named_arrays(arrays: RoadArrays, graph: EngineGraph) -> dict[str, npt.NDArray[Any]]:
    a, t = arrays, graph.turns
    coords = SegmentCoords.of(a.seg_coords)
    snappable = a.seg_snappable
    if snappable is None:
        snappable = np.ones(len(a.seg_source), dtype=np.bool_)
    nodes = sorted(t.arrivals)
    return {
        "node_lon": a.node_lon,
        "node_lat": a.node_lat,
        "seg_source": a.seg_source,
        "seg_target": a.seg_target,
        "seg_minutes": a.seg_minutes,
        "seg_length_m": a.seg_length_m,
        "seg_oneway": a.seg_oneway,
        "seg_snappable": snappable,
        "coord_points": coords.points,
        "coord_offsets": coords.offsets,
        "turn_from": a.turn_from,
        "turn_via": a.turn_via,
        "turn_to": a.turn_to,
        "turn_only": a.turn_only,
        "copy_node": t.copy_node,
        "forward_tail": t.forward_tail,
        "forward_head": t.forward_head,
        "backward_tail": t.backward_tail,
        "backward_head": t.backward_head,
        "restricted": t.restricted,
        "arrival_node": np.array([n for n in nodes for _ in t.arrivals[n]], dtype=np.int64),
        "arrival_copy": np.array([c for n in nodes for c in t.arrivals[n]], dtype=np.int64),
        "forward_data": graph.forward.data,
        "forward_indices": graph.forward.indices,
        "forward_indptr": graph.forward.indptr,
        "forward_seg": graph.forward_seg,
        "reverse_data": graph.reverse.data,
        "reverse_indices": graph.reverse.indices,
        "reverse_indptr": graph.reverse.indptr,
        "reverse_seg": graph.reverse_seg,
        "in_main_component": graph.in_main_component,
        "grid_xy": graph.grid.xy,
        "grid_piece_start": graph.grid.piece_start,
        "grid_piece_segment": graph.grid.piece_segment,
        "grid_cell_ptr": graph.grid.cell_ptr,
        "grid_cell_piece": graph.grid.cell_piece,
        "grid_meta": graph.grid.meta,
    }


def write(root: Path, key: str, arrays: RoadArrays, graph: EngineGraph) -> Path:
    """Write one network's files (atomically: a temporary directory renamed into place)."""
    root.mkdir(parents=True, exist_ok=True)
    final = cache_dir(root, key)
    temporary = Path(tempfile.mkdtemp(prefix=f".network-{key}.", dir=root))
    try:
        files: dict[str, dict[str, Any]] = {}
        for name, array in _named_arrays(arrays, graph).items():
            path = temporary / f"{name}.npy"
            with path.open("wb") as out:
                np.save(out, np.ascontiguousarray(array))
                out.flush()
                os.fsync(out.fileno())
            files[name] = {
                "dtype": np.asarray(array).dtype.str,
                "shape": list(np.shape(array)),
                "bytes": path.stat().st_size,
            }
        manifest = {
            "format": FORMAT,
            "key": key,
            "version": arrays.version,
            "node_count": graph.turns.node_count,
            "files": files,
        }
        (temporary / MANIFEST).write_text(json.dumps(manifest), encoding="utf-8")
        _replace(temporary, final, key)
    finally:
        shutil.rmtree(temporary, ignore_errors=True)
    prune(root, key)
    return final


def prune(root: Path, key: str) -> list[str]:
    """Remove the files of the same database's other networks (keys ``version-database-import``,
    ``road_store.network_key``); the names removed. A process still mapping them keeps its pages
    (the files go when the last mapping does); one that asks for them later rebuilds."""
    parts = key.split("-")
    if len(parts) != 3:
        return []
    removed = []
    for directory in root.glob(f"network-*-{parts[1]}-*"):
        if directory.name != cache_dir(root, key).name and directory.is_dir():
            shutil.rmtree(directory, ignore_errors=True)
            removed.append(directory.name)
    return removed


def _replace(temporary: Path, final: Path, key: str) -> None:
    """Rename the new directory into place; a refused (torn) one there is moved aside first."""
    if final.exists():
        if read(final.parent, key) is not None:
            return  # another process wrote the same version meanwhile: keep it
        aside = final.with_name(f".{final.name}.refused.{os.getpid()}")
        os.rename(final, aside)
        shutil.rmtree(aside, ignore_errors=True)
    try:
        os.rename(temporary, final)
    except OSError:  # another process renamed its copy in first
        if read(final.parent, key) is None:
            raise


def read(root: Path, key: str) -> tuple[RoadArrays, EngineGraph] | None:
    """The memory-mapped arrays of network ``key``, or None if its files are missing, of
    another network or do not match their manifest (the caller rebuilds them)."""
    directory = cache_dir(root, key)
    try:
        manifest = json.loads((directory / MANIFEST).read_text(encoding="utf-8"))
        if manifest.get("format") != FORMAT or manifest.get("key") != key:
            return None
        version = int(manifest["version"])
        loaded = {
            name: _mapped(directory / f"{name}.npy", spec, name in _COPY_ON_WRITE)
            for name, spec in manifest["files"].items()
        }
        return _assemble(loaded, version, int(manifest["node_count"]))
    except (OSError, ValueError, KeyError, TypeError):
        return None


def _mapped(path: Path, spec: dict[str, Any], copy_on_write: bool) -> npt.NDArray[Any]:
    """One file, mapped; ValueError unless it is exactly what the manifest says."""
    if path.stat().st_size != spec["bytes"]:
        raise ValueError(f"{path.name}: {path.stat().st_size} bytes, not {spec['bytes']}")
    mode: Literal["r", "c"] = "c" if copy_on_write else "r"
    if spec["shape"] and 0 in spec["shape"]:  # numpy cannot map an empty array
        array: npt.NDArray[Any] = np.load(path)
    else:
        array = np.load(path, mmap_mode=mode)
    if array.dtype.str != spec["dtype"] or list(array.shape) != spec["shape"]:
        raise ValueError(f"{path.name}: {array.dtype.str} {array.shape} is not the manifest's")
    return array


def _assemble(
    f: dict[str, npt.NDArray[Any]], version: int, node_count: int
) -> tuple[RoadArrays, EngineGraph]:
    arrays = RoadArrays(
        node_lon=f["node_lon"],
        node_lat=f["node_lat"],
        seg_source=f["seg_source"],
        seg_target=f["seg_target"],
        seg_minutes=f["seg_minutes"],
        seg_length_m=f["seg_length_m"],
        seg_oneway=f["seg_oneway"],
        seg_coords=SegmentCoords(f["coord_points"], f["coord_offsets"]),
        version=version,
        seg_snappable=f["seg_snappable"],
        turn_from=f["turn_from"],
        turn_via=f["turn_via"],
        turn_to=f["turn_to"],
        turn_only=f["turn_only"],
    )
    arrivals: dict[int, list[int]] = {}
    for node, copy in zip(f["arrival_node"].tolist(), f["arrival_copy"].tolist(), strict=True):
        arrivals.setdefault(node, []).append(copy)
    empty_i, empty_f = np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float64)
    turns = TurnGraph(
        node_count=node_count,
        # The expanded edge list is only needed to build the matrices: not kept in the files.
        tails=empty_i,
        heads=empty_i,
        weights=empty_f,
        segments=empty_i,
        copy_node=f["copy_node"],
        forward_tail=f["forward_tail"],
        forward_head=f["forward_head"],
        backward_tail=f["backward_tail"],
        backward_head=f["backward_head"],
        arrivals=arrivals,
        restricted=f["restricted"],
    )
    graph = EngineGraph(
        turns=turns,
        forward=csr_from_arrays(f["forward_data"], f["forward_indices"], f["forward_indptr"]),
        forward_seg=f["forward_seg"],
        reverse=csr_from_arrays(f["reverse_data"], f["reverse_indices"], f["reverse_indptr"]),
        reverse_seg=f["reverse_seg"],
        in_main_component=f["in_main_component"],
        grid=SegmentGrid(
            xy=f["grid_xy"],
            piece_start=f["grid_piece_start"],
            piece_segment=f["grid_piece_segment"],
            cell_ptr=f["grid_cell_ptr"],
            cell_piece=f["grid_cell_piece"],
            meta=f["grid_meta"],
        ),
    )
    return arrays, graph
