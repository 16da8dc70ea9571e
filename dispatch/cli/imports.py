"""infofirst import: facilities and roads from files."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn
from sqlalchemy.ext.asyncio import AsyncSession

from dispatch.cli.common import console, in_transaction
from dispatch.settings import get_settings

if TYPE_CHECKING:
    from geo.network import RoadNetwork
    from geo.osm import WayTally
    from geo.road_store import RoadNetworkStats

Points = dict[str, list[tuple[float, float]]]

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
    json_path: Annotated[
        Path | None,
        typer.Option("--json", dir_okay=False, help="Also write the import report as JSON here."),
    ] = None,
) -> None:
    """Replace the road network with a file's roads, in one transaction: all of it, or nothing;
    then report what was kept and dropped, the network's fragments and the points it cannot
    serve. A network wholly outside the service area is refused."""
    from dispatch.cli.road_report import print_report, write_json
    from geo.exceptions import ImportRejected
    from geo.osm_turns import describe_counts
    from geo.road_area import area_fit, refusal, warning
    from geo.road_report import WayCounter, import_report

    settings = get_settings()
    counter = WayCounter()
    try:
        network = _read_roads(file, counter)
        fit = area_fit(network, settings.service_area)
        if fit.wholly_outside:
            console.print(f"[red]nothing imported: {escape(refusal(fit))}[/red]")
            raise typer.Exit(1)
        network.synthetic = synthetic
        stats, points = _replace_roads(network)
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
    if network.restriction_counts:
        console.print(f"turn restrictions: {describe_counts(network.restriction_counts)}")
    if fit.partly_outside:
        console.print(f"[yellow]warning: {escape(warning(fit))}[/yellow]")
    if settings.road_cache_dir is not None:
        with console.status("writing the engine's arrays"):
            written = _write_engine_files(settings.road_cache_dir)
        if written is not None:
            console.print(f"engine arrays written to {escape(str(written))}")
    with console.status("building the report"):
        report = import_report(
            network,
            counter,
            settings.road_speeds_kmh,
            points,
            fit,
            settings.access_speed_kmh,
            settings.max_snap_m,
        )
    print_report(console, report)
    if json_path is not None:
        write_json(json_path, report)
        console.print(f"report written to {escape(str(json_path))}")


def _write_engine_files(root: Path) -> Path | None:
    """The stored network's engine arrays, written for every server process to memory-map."""
    from geo.runtime import write_network_files

    async def write(db: AsyncSession) -> Path | None:
        return await write_network_files(db, root)

    return in_transaction(write)


def _progress() -> Progress:
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn())
    return Progress(*columns, console=console, transient=True)


def _read_roads(file: Path, counter: WayTally) -> RoadNetwork:
    """The file's network (a progress bar of the ways read); ``counter`` hears of every way."""
    from geo.road_files import read_road_file

    with _progress() as progress:
        reading = progress.add_task("reading ways", total=None)
        network = read_road_file(
            file,
            lambda n: progress.update(reading, completed=n),
            get_settings().road_speeds_kmh,
            counter,
        )
        done = max(int(progress.tasks[reading].completed), 1)
        progress.update(reading, total=done, completed=done)
    return network


def _replace_roads(network: RoadNetwork) -> tuple[RoadNetworkStats, Points]:
    """Replace the stored network (a progress bar of the rows written) and read the facilities'
    and places' points in the same transaction."""
    from dispatch.cli.road_report import service_points
    from geo.road_store import replace_network

    speeds = get_settings().road_speeds_kmh
    with _progress() as progress:
        rows = len(network.nodes) + len(network.segments)
        writing = progress.add_task("writing rows", total=rows)

        async def write(db: AsyncSession) -> tuple[RoadNetworkStats, Points]:
            stats = await replace_network(
                db, network, speeds, lambda n: progress.update(writing, completed=n)
            )
            return stats, await service_points(db)

        return in_transaction(write)
