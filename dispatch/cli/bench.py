"""infofirst bench: a benchmark of bench/ against its baseline."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from dispatch.cli.common import console


def bench(
    name: Annotated[
        str,
        typer.Argument(
            help="A benchmark in bench/: nearest, coverage, alert_delivery, reports, login_flood,"
            " audit, field_load, province, write_path."
        ),
    ],
    quick: Annotated[
        bool, typer.Option("--quick", help="A small smoke run (writes NAME-quick.json).")
    ] = False,
) -> None:
    """Run bench/NAME.py against its baseline in the same run and write its JSON results."""
    import importlib
    import sys

    import dispatch

    root = Path(dispatch.__file__).resolve().parent.parent
    script = root / "bench" / f"{name}.py"
    if not name.isidentifier() or name.startswith("_") or name == "common" or not script.is_file():
        console.print(f"[red]no benchmark {escape(name)!r} in {escape(str(root / 'bench'))}[/red]")
        raise typer.Exit(2)
    if str(root) not in sys.path:
        sys.path.insert(0, str(root))
    module = importlib.import_module(f"bench.{name}")
    result = module.main(quick=quick)
    console.print(f"wrote {escape(str(result['results_file']))}")
