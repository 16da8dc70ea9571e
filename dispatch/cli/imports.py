"""infofirst import: facilities and roads from files."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from dispatch.cli.common import console, in_transaction
from dispatch.settings import get_settings

app = typer.Typer(help="Import data files.", no_args_is_help=True)


@app.command("facilities")
def import_facilities(
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, help="GeoJSON, GPKG or CSV")],
) -> None:
    """Import facilities from a file: every row is checked; all rows are imported, or none."""
    from geo.exceptions import ImportRejected
    from geo.imports import read_points
    from units.importing import import_facilities as run_import

    try:
        records = read_points(file)
        area = get_settings().service_area
        count = in_transaction(lambda db: run_import(db, records, area))
    except ImportRejected as rejected:
        console.print(f"[red]nothing imported: {len(rejected.problems)} bad row(s)[/red]")
        for problem in rejected.problems:
            console.print(f"  row {problem.row}: {escape(problem.reason)}")
        raise typer.Exit(1) from rejected
    console.print(f"imported {count} facilities from {escape(str(file))}")


@app.command("roads")
def import_roads(
    file: Annotated[
        Path, typer.Argument(exists=True, dir_okay=False, help=".osm.pbf, .osm, GeoJSON or GPKG")
    ],
    synthetic: Annotated[
        bool, typer.Option("--synthetic/--no-synthetic", help="Label the network synthetic.")
    ] = False,
) -> None:
    """Replace the road network with a file's roads, in one transaction: all of it, or nothing."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    from geo.exceptions import ImportRejected
    from geo.road_files import read_road_file
    from geo.road_store import replace_network

    speeds = get_settings().road_speeds_kmh
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn())
    try:
        with Progress(*columns, console=console, transient=True) as progress:
            reading = progress.add_task("reading ways", total=None)
            network = read_road_file(
                file, lambda n: progress.update(reading, completed=n), classes=speeds
            )
            done = max(int(progress.tasks[reading].completed), 1)
            progress.update(reading, total=done, completed=done)
            network.synthetic = synthetic
            rows = len(network.nodes) + len(network.segments)
            writing = progress.add_task("writing rows", total=rows)
            stats = in_transaction(
                lambda db: replace_network(
                    db, network, speeds, lambda n: progress.update(writing, completed=n)
                )
            )
    except ImportRejected as rejected:
        console.print(f"[red]nothing imported: {len(rejected.problems)} bad row(s)[/red]")
        for problem in rejected.problems:
            console.print(f"  row {problem.row}: {escape(problem.reason)}")
        raise typer.Exit(1) from rejected
    label = " (synthetic)" if stats.synthetic else ""
    console.print(
        f"imported {stats.nodes} nodes and {stats.segments} segments, {stats.length_km:.1f} km"
        f" of road{label}, from {escape(str(file))}: road network version {stats.version}"
    )
