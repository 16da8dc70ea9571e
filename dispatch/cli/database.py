"""infofirst db: the database."""

from __future__ import annotations

import typer

from dispatch import migrate
from dispatch.cli.common import console
from dispatch.settings import get_settings

app = typer.Typer(help="The database.", no_args_is_help=True)


@app.command("upgrade")
def db_upgrade() -> None:
    """Create the database and PostGIS if missing, then apply every migration."""
    url = get_settings().database_url
    created = migrate.upgrade(url)
    console.print(f"database {'created and ' if created else ''}migrated to the newest revision")
