"""The road import's report at the command line: the points it is about (read from the
database), Rich tables on the console, and the JSON file."""

from __future__ import annotations

import json
from pathlib import Path

from rich.console import Console
from rich.table import Table
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from geo.road_report import KEPT, ImportReport

POINT_QUERIES = {
    "facilities": "SELECT ST_X(location), ST_Y(location) FROM facilities ORDER BY id",
    "places": "SELECT ST_X(location), ST_Y(location) FROM places ORDER BY id",
}


async def service_points(db: AsyncSession) -> dict[str, list[tuple[float, float]]]:
    """The (lon, lat) of every facility and every place (village, township, county town)."""
    found: dict[str, list[tuple[float, float]]] = {}
    for what, sql in POINT_QUERIES.items():
        rows = (await db.execute(text(sql))).all()
        found[what] = [(float(row[0]), float(row[1])) for row in rows]
    return found


def _share(part: float, whole: float) -> str:
    return f"{part / whole:.1%}" if whole else "-"


def print_report(console: Console, report: ImportReport) -> None:
    """The report as three tables: ways kept and dropped, fragments, points unreachable."""
    ways = Table(title="Ways read, per highway tag: kept, or dropped and why")
    for column in ("tag", "outcome", "ways", "km"):
        ways.add_column(column, justify="right" if column in ("ways", "km") else "left")
    for line in report.ways:
        outcome = line.outcome.replace("_", " ")
        style = None if line.outcome == KEPT else "dim"
        ways.add_row(line.tag, outcome, str(line.ways), f"{line.length_m / 1000:.1f}", style=style)
    console.print(ways)

    f = report.fragments
    pieces = Table(
        title="Fragments of the network",
        caption="islands: off the largest strongly connected component",
    )
    pieces.add_column("")
    pieces.add_column("value", justify="right")
    pieces.add_row("weakly connected components", str(f.weak))
    pieces.add_row("  the largest's share of road length", _share(f.largest_weak_m, f.length_m))
    pieces.add_row("strongly connected components", str(f.strong))
    pieces.add_row("  the largest's share of road length", _share(f.largest_strong_m, f.length_m))
    pieces.add_row(
        "islands",
        f"{f.island_segments} segments, {f.island_m / 1000:.1f} km"
        f" ({_share(f.island_m, f.length_m)})",
    )
    console.print(pieces)

    reach = Table(title=f"Unreachable: on an island, or over {report.max_snap_m:g} m from a road")
    for column in ("", "total", "on an island", "too far", "unreachable"):
        reach.add_column(column, justify="left" if not column else "right")
    for r in report.reach:
        reach.add_row(
            r.what,
            str(r.total),
            str(r.on_island),
            str(r.beyond_snap),
            f"{r.unreachable} ({_share(r.unreachable, r.total)})",
        )
    console.print(reach)


def write_json(path: Path, report: ImportReport) -> None:
    """The report as a JSON file."""
    path.write_text(json.dumps(report.as_dict(), ensure_ascii=False, indent=2) + "\n")
