"""Shared benchmark parts: a generated province-size road network, percentiles, result files.

The province network is synthetic (合成省级路网, for benchmarks only): a jittered grid of ~1 km
cells around 34.0 N, 113.5 E (the Henan plain) with national roads every 30th row and column,
provincial roads every 10th, county roads every 5th, township and village roads mixed between;
"lakes" with no roads but the national ones, a few percent of minor roads missing, and a few
one-way couplets (a pair of parallel one-way streets, one each way). Whatever the removals cut
off is dropped, so the network is one strongly connected component. Same size and seed, same
network.
"""

from __future__ import annotations

import json
import os
import platform
import shutil
import socket
import subprocess
import sys
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import asyncpg
import numpy as np
import numpy.typing as npt
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import connected_components

from dispatch.dsn import asyncpg_dsn
from geo.network import RoadNetwork, Segment
from geo.road_arrays import LocalProjection

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
CENTRE_LON, CENTRE_LAT = 113.5, 34.0
CELL_M = 1_000.0
JITTER_M = 200.0
SOURCE = "synthetic province network (合成省级路网, benchmark only)"
DEFAULT_BENCH_DATABASE_URL = "postgresql+asyncpg://postgres@127.0.0.1:5432/infofirst_bench"
MINOR = ("township", "village")


def bench_database_url() -> str:
    """The benchmark database: $INFOFIRST_BENCH_DATABASE_URL, else infofirst_bench locally."""
    return os.environ.get("INFOFIRST_BENCH_DATABASE_URL", DEFAULT_BENCH_DATABASE_URL)


def _line_class(index: int, middle: int) -> str | None:
    """The class of a whole grid line (row or column), or None for a mixed minor line."""
    offset = index - middle
    if offset % 30 == 0:
        return "national"
    if offset % 10 == 0:
        return "provincial"
    if offset % 5 == 0:
        return "county"
    return None


def _grid_edges(
    size: int, rng: np.random.Generator
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64], list[str], npt.NDArray[np.bool_]]:
    """Every grid edge (node a, node b, class), and which ones are drawn on a grid line."""
    middle = size // 2
    index = np.arange(size * size, dtype=np.int64).reshape(size, size)  # [row, column]
    a = np.concatenate([index[:, :-1].ravel(), index[:-1, :].ravel()])
    b = np.concatenate([index[:, 1:].ravel(), index[1:, :].ravel()])
    rows = np.concatenate(
        [np.repeat(np.arange(size), size - 1), np.repeat(np.arange(size - 1), size)]
    )
    columns = np.concatenate(
        [np.tile(np.arange(size - 1), size), np.tile(np.arange(size), size - 1)]
    )
    horizontal = np.arange(len(a)) < size * (size - 1)
    minor = rng.choice(np.array(MINOR), size=len(a), p=[0.4, 0.6])
    classes = []
    for i in range(len(a)):
        line = int(rows[i]) if horizontal[i] else int(columns[i])
        classes.append(_line_class(line, middle) or str(minor[i]))
    return a, b, classes, horizontal


def _removed(
    size: int,
    a: npt.NDArray[np.int64],
    b: npt.NDArray[np.int64],
    classes: Sequence[str],
    rng: np.random.Generator,
) -> npt.NDArray[np.bool_]:
    """Edges to leave out: everything but national roads inside a few lakes, and 4% of minor
    roads (county roads and above are kept outside the lakes)."""
    row_a, col_a = np.divmod(a, size)
    row_b, col_b = np.divmod(b, size)
    national = np.array([c == "national" for c in classes])
    minor = np.array([c in MINOR for c in classes])
    removed = minor & (rng.random(len(a)) < 0.04)
    for _ in range(max(1, size * size // 2_500)):
        r0, c0 = rng.uniform(0, size - 1, 2)
        radius = rng.uniform(1.5, 4.0)
        inside_a = np.hypot(row_a - r0, col_a - c0) <= radius
        inside_b = np.hypot(row_b - r0, col_b - c0) <= radius
        removed |= inside_a & inside_b & ~national
    return removed


def _couplets(
    size: int, classes: Sequence[str], horizontal: npt.NDArray[np.bool_], rng: np.random.Generator
) -> dict[int, bool]:
    """A few one-way couplets: edge index → True if one-way from a to b (east), False (west)."""
    middle = size // 2
    oneway: dict[int, bool] = {}
    for _ in range(max(2, size // 12)):
        row = int(rng.integers(1, size - 2))
        if _line_class(row, middle) or _line_class(row + 1, middle):
            continue
        start, length = int(rng.integers(0, size - 9)), int(rng.integers(4, 9))
        for column in range(start, start + length):
            east = row * (size - 1) + column
            west = (row + 1) * (size - 1) + column
            if horizontal[east] and horizontal[west] and classes[east] in MINOR:
                oneway[east], oneway[west] = True, False
    return oneway


def province_network(size: int = 250, seed: int = 3) -> RoadNetwork:
    """A synthetic province-size network of size × size nodes (~1 km apart), strongly connected."""
    if size < 12:
        raise ValueError("a province network needs at least 12 × 12 nodes")
    rng = np.random.default_rng(seed)
    projection = LocalProjection(CENTRE_LON, CENTRE_LAT)
    grid = (np.arange(size) - (size - 1) / 2) * CELL_M
    x = np.tile(grid, size) + rng.uniform(-JITTER_M, JITTER_M, size * size)
    y = np.repeat(grid, size) + rng.uniform(-JITTER_M, JITTER_M, size * size)
    a, b, classes, horizontal = _grid_edges(size, rng)
    removed = _removed(size, a, b, classes, rng)
    oneway = _couplets(size, classes, horizontal, rng)
    kept = [i for i in range(len(a)) if not removed[i]]
    # Directed edges of what is kept; the largest strongly connected component survives.
    tails = [int(a[i]) if oneway.get(i, True) else int(b[i]) for i in kept]
    heads = [int(b[i]) if oneway.get(i, True) else int(a[i]) for i in kept]
    two_way = [i not in oneway for i in kept]
    all_tails = tails + [h for h, t in zip(heads, two_way, strict=True) if t]
    all_heads = heads + [t for t, w in zip(tails, two_way, strict=True) if w]
    n = size * size
    graph = csr_matrix((np.ones(len(all_tails)), (all_tails, all_heads)), shape=(n, n))
    _, labels = connected_components(graph, directed=True, connection="strong")
    giant = int(np.bincount(labels).argmax())
    new_index = np.full(n, -1, dtype=np.int64)
    keep_nodes = np.nonzero(labels == giant)[0]
    new_index[keep_nodes] = np.arange(len(keep_nodes))
    lon, lat = projection.inverse(x, y)
    network = RoadNetwork(
        nodes=[(float(lon[i]), float(lat[i])) for i in keep_nodes], source=SOURCE, synthetic=True
    )
    bend = rng.uniform(-60.0, 60.0, len(a))
    for i, tail, head in zip(kept, tails, heads, strict=True):
        if new_index[tail] < 0 or new_index[head] < 0:
            continue
        road_class = classes[i]
        coords = [(float(lon[tail]), float(lat[tail]))]
        if road_class in MINOR:  # a gentle bend halfway (perpendicular to the grid line)
            dx, dy = (0.0, bend[i]) if horizontal[i] else (bend[i], 0.0)
            mx, my = projection.inverse(
                np.array([(x[tail] + x[head]) / 2 + dx]), np.array([(y[tail] + y[head]) / 2 + dy])
            )
            coords.append((float(mx[0]), float(my[0])))
        coords.append((float(lon[head]), float(lat[head])))
        network.segments.append(
            Segment(
                source=int(new_index[tail]),
                target=int(new_index[head]),
                coords=tuple(coords),
                road_class=road_class,
                oneway=i in oneway,
                name=f"合成{road_class}",
            )
        )
    check_strongly_connected(network)
    return network


def directed_edge_count(network: RoadNetwork) -> int:
    """Directed edges: two for a two-way segment, one for a one-way segment."""
    return sum(1 if s.oneway else 2 for s in network.segments)


def check_strongly_connected(network: RoadNetwork) -> None:
    """Raise ValueError unless every node reaches every other node."""
    tails = [s.source for s in network.segments] + [
        s.target for s in network.segments if not s.oneway
    ]
    heads = [s.target for s in network.segments] + [
        s.source for s in network.segments if not s.oneway
    ]
    n = len(network.nodes)
    graph = csr_matrix((np.ones(len(tails)), (tails, heads)), shape=(n, n))
    count, _ = connected_components(graph, directed=True, connection="strong")
    if count != 1:
        raise ValueError(f"the network has {count} strongly connected components, not one")


def percentile(values: Sequence[float], q: float) -> float:
    """The q-th percentile (0..100, linear interpolation) of the values."""
    if not values:
        raise ValueError("no values")
    return float(np.percentile(np.asarray(values, dtype=np.float64), q))


def median(values: Sequence[float]) -> float:
    """The median of the values."""
    return percentile(values, 50.0)


def _git_commit() -> str | None:
    """The checked-out commit, if this is a git work tree (read-only: rev-parse)."""
    git = shutil.which("git")
    if git is None:
        return None
    try:
        done = subprocess.run(  # noqa: S603 - a fixed read-only git command
            [git, "rev-parse", "HEAD"], cwd=ROOT, capture_output=True, text=True, timeout=10
        )
    except (OSError, subprocess.SubprocessError):
        return None
    commit = done.stdout.strip()
    return commit if done.returncode == 0 and commit else None


def machine() -> dict[str, Any]:
    """Where and when the figures were measured."""
    import scipy
    import shapely

    return {
        "python": sys.version.split()[0],
        "platform": platform.platform(),
        "cpu_count": os.cpu_count(),
        "load_average": list(os.getloadavg()) if hasattr(os, "getloadavg") else None,
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "git_commit": _git_commit(),
        "numpy": np.__version__,
        "scipy": scipy.__version__,
        "shapely": shapely.__version__,
    }


def results_folder() -> Path:
    """Where results go: $INFOFIRST_BENCH_RESULTS_DIR (smoke tests), else bench/results."""
    folder = os.environ.get("INFOFIRST_BENCH_RESULTS_DIR")
    return Path(folder) if folder else RESULTS


def write_results(name: str, data: dict[str, Any]) -> Path:
    """Write ``data`` (with the machine's description) to ``<results>/NAME.json``, atomically."""
    folder = results_folder()
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.json"
    temporary = path.with_name(path.name + ".tmp")
    body = {"benchmark": name, "machine": machine(), **data}
    temporary.write_text(json.dumps(body, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    temporary.replace(path)
    return path


def prepare_demo_database(database_url: str) -> None:
    """Migrate the bench database at ``database_url`` and load the demo county (synthetic)
    afresh, through the project's own CLI."""
    env = {**os.environ, "INFOFIRST_DATABASE_URL": database_url}
    for command in (["db", "upgrade"], ["demo", "load", "--reset"]):
        done = subprocess.run(  # noqa: S603 - our own CLI
            [str(ROOT / ".venv/bin/infofirst"), *command], env=env, capture_output=True, text=True
        )
        if done.returncode != 0:
            raise RuntimeError(f"infofirst {' '.join(command)} failed:\n{done.stderr[-2000:]}")


def start_api_server(
    database_url: str, port: int, *options: str, **settings: str
) -> subprocess.Popen[bytes]:
    """One API server process of a bench on 127.0.0.1 (not waited for): the database, test
    mode, warnings only, and no escalations (nobody answers a bench's alerts); ``options`` are
    more uvicorn options, ``settings`` more ``INFOFIRST_<NAME>`` values. A port something
    already answers on is refused: the bench would time that server, not its own."""
    with socket.socket() as probe:
        if probe.connect_ex(("127.0.0.1", port)) == 0:
            raise RuntimeError(f"127.0.0.1:{port} is already in use: stop what listens there")
    env = {
        **os.environ,
        "INFOFIRST_DATABASE_URL": database_url,
        "INFOFIRST_ENV": "test",
        "INFOFIRST_LOG_LEVEL": "WARNING",
        "INFOFIRST_ALERT_ACK_TIMEOUT_SECONDS": "86400",
        **{f"INFOFIRST_{name.upper()}": value for name, value in settings.items()},
    }
    command = [sys.executable, "-m", "uvicorn", "--factory", "dispatch.app:create_app"]
    command += ["--host", "127.0.0.1", "--port", str(port), "--log-level", "warning", *options]
    return subprocess.Popen(command, cwd=ROOT, env=env)  # noqa: S603 - our own interpreter


async def fetch_rows(database: str, query: str) -> list[dict[str, Any]]:
    """One query's rows, on a connection of its own to ``database`` (a SQLAlchemy URL)."""
    connection = await asyncpg.connect(asyncpg_dsn(database))
    try:
        return [dict(row) for row in await connection.fetch(query)]
    finally:
        await connection.close()
