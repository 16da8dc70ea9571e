"""infofirst report: the time-audit report of a period, as a file."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from dispatch.cli.common import console, in_transaction
from dispatch.settings import get_settings


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
