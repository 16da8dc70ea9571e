"""The ``infofirst`` command line (Typer)."""

from __future__ import annotations

import asyncio
import os
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Annotated, TypeVar

import typer
import uvicorn
from rich.console import Console
from rich.markup import escape
from rich.table import Table
from sqlalchemy.ext.asyncio import AsyncSession

from dispatch import migrate
from dispatch.db import make_engine, make_sessionmaker
from dispatch.settings import get_settings

T = TypeVar("T")

app = typer.Typer(help="infofirst: county chest-pain and stroke network", no_args_is_help=True)
db_app = typer.Typer(help="The database.", no_args_is_help=True)
demo_app = typer.Typer(help="The synthetic demo county.", no_args_is_help=True)
import_app = typer.Typer(help="Import data files.", no_args_is_help=True)
users_app = typer.Typer(help="User accounts.", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(demo_app, name="demo")
app.add_typer(import_app, name="import")
app.add_typer(users_app, name="users")
console = Console()


def in_transaction(work: Callable[[AsyncSession], Awaitable[T]]) -> T:
    """Run ``work`` in one transaction on the configured database: committed, or rolled back."""

    async def run() -> T:
        engine = make_engine(get_settings())
        try:
            async with make_sessionmaker(engine)() as db, db.begin():
                return await work(db)
        finally:
            await engine.dispose()

    return asyncio.run(run())


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Create the database and PostGIS if missing, then apply every migration."""
    url = get_settings().database_url
    created = migrate.upgrade(url)
    console.print(f"database {'created and ' if created else ''}migrated to the newest revision")


@demo_app.command("load")
def demo_load(
    reset: Annotated[bool, typer.Option("--reset", help="Delete the demo data first.")] = False,
) -> None:
    """Load the synthetic demo county (idempotent) and print the demo logins."""
    from dispatch.demo.county import build_demo_county
    from dispatch.demo.load import DEMO_PASSWORD, load_demo

    county = build_demo_county()
    speeds = get_settings().road_speeds_kmh
    report = in_transaction(lambda db: load_demo(db, county, reset=reset, speeds=speeds))
    console.print(f"[bold]{county.name_zh} / {county.name_en}[/bold] — {county.note}")
    console.print(
        f"{report.facilities} facilities, {report.ambulances} ambulances, {report.places} places;"
        f" {report.users_created} new users; {report.road_segments} synthetic road segments"
        f" ({'loaded' if report.roads_replaced else 'already loaded'})"
    )
    table = Table(title=f"Demo logins (password: {DEMO_PASSWORD})")
    for column in ("username", "role", "facility", "ambulance"):
        table.add_column(column)
    for login in report.logins:
        table.add_row(login.username, login.role, login.facility_id or "", login.ambulance_id or "")
    console.print(table)


@app.command("serve")
def serve(
    host: Annotated[str, typer.Option(help="Address to bind.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to bind.")] = 8000,
    workers: Annotated[int, typer.Option(help="Server processes.")] = 1,
) -> None:
    """Serve the API and the four pages."""
    uvicorn.run(
        "dispatch.app:create_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        ws_per_message_deflate=False,
        access_log=False,
        proxy_headers=False,
        timeout_graceful_shutdown=max(1, round(get_settings().shutdown_grace_seconds)),
    )


@import_app.command("facilities")
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


@import_app.command("roads")
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


@users_app.command("add")
def users_add(
    name: Annotated[str, typer.Argument(help="Username.")],
    role: Annotated[str, typer.Option(help="admin, dispatcher, crew, township, cathlab, auditor")],
    facility: Annotated[str | None, typer.Option(help="Facility id (township, cathlab).")] = None,
    ambulance: Annotated[str | None, typer.Option(help="Ambulance id (crew).")] = None,
    password: Annotated[
        str | None,
        typer.Option(help="Password (default: $INFOFIRST_NEW_PASSWORD, else asked for)."),
    ] = None,
    replace: Annotated[bool, typer.Option(help="Reset the user if it exists.")] = False,
) -> None:
    """Add a user with a role tied to its facility or ambulance."""
    from units import accounts
    from units.exceptions import UnitsError

    secret = password or os.environ.get("INFOFIRST_NEW_PASSWORD")
    if not secret:
        secret = typer.prompt("password", hide_input=True, confirmation_prompt=True)
    try:
        user = in_transaction(
            lambda db: accounts.add_user(
                db, name, secret, role, facility, ambulance, replace=replace
            )
        )
    except (ValueError, UnitsError) as exc:
        console.print(f"[red]{escape(str(exc))}[/red]")
        raise typer.Exit(1) from exc
    console.print(f"user {user.username} ({user.role}) saved")


analyze_app = typer.Typer(
    help="Planning analyses for the county health bureau.", no_args_is_help=True
)
app.add_typer(analyze_app, name="analyze")


@analyze_app.command("coverage")
def analyze_coverage(
    k: Annotated[int, typer.Option(help="New ambulance stations to site (MCLP).")] = 3,
    radius: Annotated[float, typer.Option(help="Minutes a station should reach.")] = 15.0,
    out: Annotated[Path, typer.Option(help="Folder for the CSV, JSON and map PNG.")] = Path(
        "analysis"
    ),
) -> None:
    """Road time from every village to care, coverage shares, and where new stations help most."""
    from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    from dispatch import coverage_report
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


@app.command("report")
def report(
    start: Annotated[str, typer.Option("--from", help="First day (YYYY-MM-DD, local time).")],
    end: Annotated[str, typer.Option("--to", help="Last day, included (YYYY-MM-DD).")],
    output: Annotated[Path, typer.Option("-o", "--output", help="The file to write.")],
    fmt: Annotated[str, typer.Option("--format", help="csv, xlsx, pdf or json.")] = "xlsx",
    pathway: Annotated[str | None, typer.Option(help="One pathway (stemi, stroke, …).")] = None,
    facility: Annotated[str | None, typer.Option(help="One facility's figures.")] = None,
    lang: Annotated[str, typer.Option(help="Column headers: zh or en.")] = "zh",
    table: Annotated[str, typer.Option(help="CSV: summary, cases or findings.")] = "summary",
    drill: Annotated[bool, typer.Option("--drill", help="Report the drills instead.")] = False,
) -> None:
    """The time-audit report (intervals against their targets) for a period, as a file."""
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    from dispatch.reports.cli_report import STEPS, check_choices, produce
    from dispatch.reports.exceptions import EmptyPeriod, ReportError
    from units.exceptions import UnitsError

    settings = get_settings()
    columns = (TextColumn("{task.description}"), BarColumn(), TimeElapsedColumn())
    try:
        chosen, language, csv_table = check_choices(fmt, lang, table)
        with Progress(*columns, console=console, transient=True) as progress:
            task = progress.add_task("report", total=len(STEPS))

            def step(name: str) -> None:
                progress.update(task, completed=STEPS.index(name), description=name)

            content = in_transaction(
                lambda db: produce(
                    db, settings, start, end, chosen, language, csv_table, pathway, facility,
                    drill, step,
                )
            )  # fmt: skip
            progress.update(task, completed=len(STEPS), description="done")
    except (ReportError, UnitsError) as exc:
        console.print(f"[red]{escape(str(exc))}[/red]")
        raise typer.Exit(1 if isinstance(exc, EmptyPeriod) else 2) from exc
    output.write_bytes(content)
    console.print(f"wrote {escape(str(output))} ({len(content):,} bytes, {chosen})")


@app.command("bench")
def bench(
    name: Annotated[
        str,
        typer.Argument(help="A benchmark in bench/: nearest, coverage, alert_delivery, reports."),
    ],
    quick: Annotated[
        bool, typer.Option("--quick", help="A small smoke run (writes NAME-quick.json).")
    ] = False,
) -> None:
    """Run bench/NAME.py against its baseline in the same run and write its JSON results."""
    import importlib
    import sys

    import dispatch

    root = Path(dispatch.__file__).resolve().parent.parent
    script = root / "bench" / f"{name}.py"
    if not name.isidentifier() or name.startswith("_") or name == "common" or not script.is_file():
        console.print(f"[red]no benchmark {escape(name)!r} in {escape(str(root / 'bench'))}[/red]")
        raise typer.Exit(2)
    if str(root) not in sys.path:
        sys.path.insert(0, str(root))
    module = importlib.import_module(f"bench.{name}")
    result = module.main(quick=quick)
    console.print(f"wrote {escape(str(result['results_file']))}")


@app.command("simulate")
def simulate(
    scenario: Annotated[str, typer.Option(help="Scenario to play: 47min.")] = "47min",
    speed: Annotated[float, typer.Option(help="Simulated minutes per real minute.", min=1)] = 60.0,
    url: Annotated[str, typer.Option(help="The running server.")] = "http://127.0.0.1:8000",
    password: Annotated[str, typer.Option(help="The demo users' password.")] = "demo",  # noqa: S107 - the synthetic demo's documented password
) -> None:
    """Play a scenario live against a running server (synthetic demo county)."""
    import httpx

    from dispatch.simulate import SCENARIOS, Api

    if scenario not in SCENARIOS:
        console.print(f"[red]unknown scenario {scenario!r}: use {', '.join(SCENARIOS)}[/red]")
        raise typer.Exit(2)

    async def play() -> dict[str, object]:
        async with httpx.AsyncClient(base_url=url, timeout=30) as client:
            return await SCENARIOS[scenario](Api(client, password), speed, console.print)

    case = asyncio.run(play())
    table = Table(title=f"case {case['id']} intervals")
    for column in ("interval", "minutes", "target", "met"):
        table.add_column(column)
    for interval in case["intervals"]:  # type: ignore[attr-defined]
        minutes = interval["minutes"]
        table.add_row(
            interval["label_en"],
            "—" if minutes is None else f"{minutes:.1f}",
            "—" if interval["target_minutes"] is None else f"{interval['target_minutes']:g}",
            {True: "yes", False: "NO", None: ""}[interval["met"]],
        )
    console.print(table)
