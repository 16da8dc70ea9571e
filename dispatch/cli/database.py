"""infofirst db: the database."""

from __future__ import annotations

import typer

from dispatch import migrate
from dispatch.cli.common import console
from dispatch.settings import get_settings

app = typer.Typer(help="The database.", no_args_is_help=True)


@app.command("upgrade")
def db_upgrade() -> None:
    """Create the database and PostGIS if missing, apply every migration, then do the rebuilds
    they asked for (the report read model of the cases already there)."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    url = get_settings().database_url
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
