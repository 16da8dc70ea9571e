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
    report = in_transaction(lambda db: load_demo(db, county, reset=reset))
    console.print(f"[bold]{county.name_zh} / {county.name_en}[/bold] — {county.note}")
    console.print(
        f"{report.facilities} facilities, {report.ambulances} ambulances, {report.places} places;"
        f" {report.users_created} new users"
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
    """Serve the API (and, later, the four pages)."""
    uvicorn.run(
        "dispatch.app:create_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        ws_per_message_deflate=False,
        access_log=False,
        proxy_headers=False,
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
            console.print(f"  row {problem.row}: {problem.reason}")
        raise typer.Exit(1) from rejected
    console.print(f"imported {count} facilities from {file}")


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
        console.print(f"[red]{exc}[/red]")
        raise typer.Exit(1) from exc
    console.print(f"user {user.username} ({user.role}) saved")
