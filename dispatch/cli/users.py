"""infofirst users: accounts."""

from __future__ import annotations

import os
from typing import Annotated

import typer
from rich.markup import escape

from dispatch.cli.common import console, in_transaction
from dispatch.settings import get_settings

app = typer.Typer(help="User accounts.", no_args_is_help=True)


@app.command("add")
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
    weak = accounts.password_problem(name, secret)
    if weak is not None and get_settings().env == "production":  # a demo password never starts
        console.print(f"[red]{escape(weak)}: nothing was written[/red]")
        raise typer.Exit(1)
    try:
        user = in_transaction(
            lambda db: accounts.add_user(
                db, name, secret, role, facility, ambulance, replace=replace
            )
        )
    except (ValueError, UnitsError) as exc:
        console.print(f"[red]{escape(str(exc))}[/red]")
        raise typer.Exit(1) from exc
    note = " (its open sessions were ended)" if replace else ""
    console.print(f"user {user.username} ({user.role}) saved{note}")


def _set_active(name: str, active: bool) -> None:
    from units import accounts
    from units.exceptions import UnitsError

    try:
        user, ended = in_transaction(lambda db: accounts.set_active(db, name, active))
    except UnitsError as exc:
        console.print(f"[red]{escape(str(exc))}[/red]")
        raise typer.Exit(1) from exc
    state = "enabled" if active else f"disabled; {ended} open session(s) ended"
    console.print(f"user {user.username} {state}")


@app.command("disable")
def users_disable(name: Annotated[str, typer.Argument(help="Username.")]) -> None:
    """Disable a user: sign-in refused, every open session (websockets too) ended."""
    _set_active(name, False)


@app.command("enable")
def users_enable(name: Annotated[str, typer.Argument(help="Username.")]) -> None:
    """Enable a disabled user again (it signs in afresh)."""
    _set_active(name, True)
