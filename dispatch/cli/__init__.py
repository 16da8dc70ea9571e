"""The infofirst command line (Typer): one module per command group, composed here."""

from __future__ import annotations

import typer

from dispatch.cli import (
    analyze,
    audit,
    bench,
    database,
    demo,
    imports,
    report,
    serve,
    simulate,
    users,
)

app = typer.Typer(help="infofirst: county chest-pain and stroke network", no_args_is_help=True)
app.add_typer(database.app, name="db")
app.add_typer(demo.app, name="demo")
app.add_typer(imports.app, name="import")
app.add_typer(users.app, name="users")
app.add_typer(analyze.app, name="analyze")
app.add_typer(audit.app, name="audit")
app.command("serve")(serve.serve)
app.add_typer(report.app, name="report")
app.command("bench")(bench.bench)
app.command("simulate")(simulate.simulate)

__all__ = ["app"]
