"""infofirst report: the time-audit report of a period, as a file; ``report rebuild``: the read
model it is computed from, recomputed for every case.

``infofirst report --from … --to … -o FILE`` (no subcommand) produces the report, as it always
did: the group's callback does it when no subcommand is given.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from dispatch.cli.common import console, in_transaction
from dispatch.settings import get_settings

app = typer.Typer(
    help="The time-audit report (no subcommand) and its read model (rebuild).",
    invoke_without_command=True,
    no_args_is_help=False,
)


@app.callback()
def report(
    ctx: typer.Context,
    start: Annotated[
        str | None, typer.Option("--from", help="First day (YYYY-MM-DD, local time). Required.")
    ] = None,
    end: Annotated[
        str | None, typer.Option("--to", help="Last day, included (YYYY-MM-DD). Required.")
    ] = None,
    output: Annotated[
        Path | None, typer.Option("-o", "--output", help="The file to write. Required.")
    ] = None,
    fmt: Annotated[str, typer.Option("--format", help="csv, xlsx, pdf or json.")] = "xlsx",
    pathway: Annotated[str | None, typer.Option(help="One pathway (stemi, stroke, …).")] = None,
    facility: Annotated[str | None, typer.Option(help="One facility's figures.")] = None,
    lang: Annotated[str, typer.Option(help="Column headers: zh or en.")] = "zh",
    table: Annotated[str, typer.Option(help="CSV: summary, cases or findings.")] = "summary",
    drill: Annotated[bool, typer.Option("--drill", help="Report the drills instead.")] = False,
) -> None:
    """The time-audit report (intervals against their targets) for a period, as a file."""
    if ctx.invoked_subcommand is not None:
        return
    if start is None or end is None or output is None:
        given = (("'--from'", start), ("'--to'", end), ("'-o' / '--output'", output))
        missing = ", ".join(name for name, value in given if value is None)
        raise typer.BadParameter("required to produce the report", ctx, param_hint=missing)
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


@app.command("rebuild")
def rebuild() -> None:
    """Recompute every case's report rows (after a capability, pathway or rate change)."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

    from dispatch import migrate

    columns = (BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, console=console, transient=True) as progress:
        task = progress.add_task("rebuild", total=None)

        def step(done: int, total: int) -> None:
            progress.update(task, completed=done, total=total)

        count = in_transaction(lambda db: migrate.rebuild_read_model(db, step))
    console.print(f"report read model rebuilt: {count:,} cases")
