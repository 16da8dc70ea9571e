"""infofirst analyze: planning analyses for the county health bureau."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table
from sqlalchemy.ext.asyncio import AsyncSession

from dispatch.cli.common import console, in_transaction
from dispatch.settings import get_settings

app = typer.Typer(help="Planning analyses for the county health bureau.", no_args_is_help=True)


@app.command("coverage")
def analyze_coverage(
    k: Annotated[int, typer.Option(help="New ambulance stations to site (MCLP).")] = 3,
    radius: Annotated[float, typer.Option(help="Minutes a station should reach.")] = 15.0,
    out: Annotated[Path, typer.Option(help="Folder for the CSV, JSON and map PNG.")] = Path(
        "analysis"
    ),
) -> None:
    """Road time from every village to care, coverage shares, and where new stations help most."""
    from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    from dispatch.cli import coverage_report
    from geo.engine import TravelTimeEngine

    settings = get_settings()
    with Progress(SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn()) as bar:
        task = bar.add_task("reading the network, villages and facilities", total=3)

        async def read(db: AsyncSession) -> tuple[TravelTimeEngine, coverage_report.Inputs]:
            engine = await coverage_report.load_engine(
                db, settings.access_speed_kmh, settings.max_snap_m
            )
            return engine, await coverage_report.read_inputs(db)

        engine, inputs = in_transaction(read)
        bar.update(task, advance=1, description="searching the roads and siting stations (MCLP)")
        report = coverage_report.analyse(engine, inputs, k, radius)
        bar.update(task, advance=1, description="writing the table and the map")
        paths = coverage_report.write_outputs(
            report,
            engine,
            out,
            f"Road access to PCI, and {k} proposed stations",
        )
        bar.update(task, advance=1, description="done")
    table = Table(title=f"{len(report.villages)} villages: share within N minutes by road")
    table.add_column("to / from")
    for share in next(iter(report.shares.values())):
        table.add_column(f"≤{share.minutes:g} min (villages / people)", justify="right")
    labels = {
        "ambulance_station": "from nearest ambulance station",
        "chest_pain_unit": "to nearest chest-pain unit",
        "pci_centre": "to nearest PCI centre",
    }
    for key, shares in report.shares.items():
        table.add_row(labels[key], *(f"{s.villages:.0%} / {s.population:.0%}" for s in shares))
    console.print(table)
    siting = report.siting
    console.print(
        f"{radius:g}-minute ambulance coverage of the population: {siting.covered_before:.1%} now,"
        f" {siting.covered_after:.1%} with {len(siting.chosen)} new station(s) at: "
        + ", ".join(site.key for site in siting.chosen)
    )
    for path in paths:
        console.print(f"wrote {path}")
