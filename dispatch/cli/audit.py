"""infofirst audit: the audit trail."""

from __future__ import annotations

import asyncio
import time

import typer

from dispatch.cli.common import console
from dispatch.http.database import make_engine
from dispatch.settings import get_settings

app = typer.Typer(help="The audit trail.", no_args_is_help=True)


@app.command("verify")
def audit_verify(
    chunk: int = typer.Option(50_000, min=1, help="entries fetched per round trip"),
) -> None:
    """Check the whole hash chain: exit 0 when it holds, else 1 naming the first broken entry."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from units import audit

    async def run() -> tuple[audit.Verdict, float]:
        engine = make_engine(get_settings())
        try:
            async with engine.connect() as connection:
                total = await audit.count(connection)
                columns = (
                    TextColumn("verify"),
                    BarColumn(),
                    MofNCompleteColumn(),
                    TimeElapsedColumn(),
                )
                start = time.perf_counter()
                with Progress(*columns, console=console, transient=True) as progress:
                    task = progress.add_task("verify", total=total)
                    verdict = await audit.verify(
                        connection, chunk, lambda done: progress.update(task, completed=done)
                    )
                return verdict, time.perf_counter() - start
        finally:
            await engine.dispose()

    verdict, seconds = asyncio.run(run())
    if verdict.broken_id is not None:
        console.print(
            f"[red]audit chain broken at entry {verdict.broken_id}: {verdict.reason}[/red]"
            f" ({verdict.checked:,} entries before it hold)"
        )
        raise typer.Exit(1)
    console.print(f"audit chain holds: {verdict.checked:,} entries checked in {seconds:.1f} s")
