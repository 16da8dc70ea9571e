"""infofirst db: the database."""

from __future__ import annotations

import asyncio
from typing import Annotated

import typer

from dispatch import migrate
from dispatch.app_role import DEFAULT_ROLE, app_url, grant_app_role
from dispatch.cli.common import console
from dispatch.settings import get_settings
from units.track_partitions import TrackUpkeep

app = typer.Typer(help="The database.", no_args_is_help=True)


@app.command("upgrade")
def db_upgrade() -> None:
    """Create the database and PostGIS if missing, apply every migration, then do the rebuilds
    they asked for (the report read model of the cases already there)."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    url = get_settings().migration_url
    columns = (TextColumn("rebuild"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    rebuilt: list[int] = []
    with Progress(*columns, console=console, transient=True) as progress:
        task = progress.add_task("rebuild", total=None, visible=False)

        def step(done: int, total: int) -> None:
            progress.update(task, completed=done, total=total, visible=True)
            rebuilt[:] = [total]

        created = migrate.upgrade(url, step)
    console.print(f"database {'created and ' if created else ''}migrated to the newest revision")
    if rebuilt:
        console.print(f"report read model rebuilt, as a migration asked: {rebuilt[0]:,} cases")
    _print_upkeep(asyncio.run(migrate.keep_track_months(url, get_settings())))


@app.command("track-partitions")
def db_track_partitions() -> None:
    """As the owner: make the GPS track's monthly partitions ahead
    (INFOFIRST_GPS_TRACK_MONTHS_AHEAD) and drop the months past
    INFOFIRST_GPS_TRACK_RETENTION_MONTHS. Idempotent; `db upgrade` runs it, and so should a
    daily timer (deploy/infofirst-track.timer)."""
    settings = get_settings()
    _print_upkeep(asyncio.run(migrate.keep_track_months(settings.migration_url, settings)))


@app.command("grant-app-role")
def db_grant_app_role(
    name: Annotated[str, typer.Argument(help="the role, e.g. infofirst_app")] = DEFAULT_ROLE,
) -> None:
    """As the owner (INFOFIRST_MIGRATION_DATABASE_URL): create the application's role if
    missing and grant it exactly what the service needs (no DDL, no DELETE of stamps or audit
    entries, no UPDATE of the audit trail). Run after `db upgrade`; idempotent."""
    try:
        asyncio.run(grant_app_role(get_settings().migration_url, name))
    except ValueError as exc:
        raise typer.BadParameter(str(exc)) from exc
    console.print(f"role {name} granted the application's rights")


@app.command("app-url")
def db_app_url(
    name: Annotated[str, typer.Argument(help="the application role")] = DEFAULT_ROLE,
) -> None:
    """Print the database URL of the application role (the service's INFOFIRST_DATABASE_URL)."""
    typer.echo(app_url(get_settings().migration_url, name))


def _print_upkeep(done: TrackUpkeep) -> None:
    made = ", ".join(done.created) or "none"
    dropped = ", ".join(done.dropped) or "none"
    console.print(
        f"GPS track months made: {made}; dropped (past the retention): {dropped}; fixes moved "
        f"into their month: {done.moved_rows:,}; expired fixes deleted: {done.deleted_rows:,}"
    )
