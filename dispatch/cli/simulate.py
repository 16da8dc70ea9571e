"""infofirst simulate: play a scenario live against a running server."""

from __future__ import annotations

import asyncio
from typing import Annotated

import typer
from rich.table import Table

from dispatch.cli.common import console


def simulate(
    scenario: Annotated[str, typer.Option(help="Scenario to play: 47min.")] = "47min",
    speed: Annotated[float, typer.Option(help="Simulated minutes per real minute.", min=1)] = 60.0,
    url: Annotated[str, typer.Option(help="The running server.")] = "http://127.0.0.1:8000",
    password: Annotated[str, typer.Option(help="The demo users' password.")] = "demo",  # noqa: S107 - the synthetic demo's documented password
) -> None:
    """Play a scenario live against a running server (synthetic demo county)."""
    import httpx

    from dispatch.cli.scenarios import SCENARIOS, Api

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
