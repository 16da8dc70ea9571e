"""infofirst demo: the synthetic demo county."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from dispatch.cli.common import console, in_transaction
from dispatch.settings import get_settings

app = typer.Typer(help="The synthetic demo county.", no_args_is_help=True)


@app.command("load")
def demo_load(
    reset: Annotated[bool, typer.Option("--reset", help="Delete the demo data first.")] = False,
) -> None:
    """Load the synthetic demo county (idempotent) and print the demo logins."""
    from dispatch.demo.county import build_demo_county
    from dispatch.demo.load import DEMO_PASSWORD, load_demo

    if get_settings().env == "production":
        console.print(
            "[red]infofirst demo load refuses to run in production (INFOFIRST_ENV=production):"
            " the demo county's users have a published password. Nothing was written.[/red]"
        )
        raise typer.Exit(2)
    county = build_demo_county()
    speeds = get_settings().road_speeds_kmh
    report = in_transaction(lambda db: load_demo(db, county, reset=reset, speeds=speeds))
    console.print(f"[bold]{county.name_zh} / {county.name_en}[/bold] — {county.note}")
    console.print(
        f"{report.facilities} facilities, {report.ambulances} ambulances, {report.places} places;"
        f" {report.users_created} new users; {report.road_segments} synthetic road segments"
        f" ({'loaded' if report.roads_replaced else 'already loaded'});"
        f" {report.rota_shifts_added} synthetic ECG rota shifts added"
    )
    table = Table(title=f"Demo logins (password: {DEMO_PASSWORD})")
    for column in ("username", "role", "facility", "ambulance"):
        table.add_column(column)
    for login in report.logins:
        table.add_row(login.username, login.role, login.facility_id or "", login.ambulance_id or "")
    console.print(table)
