"""`solver bench ...`: benchmarks that print figures."""

from __future__ import annotations

import json

import typer
from rich.console import Console

app = typer.Typer(help="Benchmarks that print figures.", no_args_is_help=True)
err = Console(stderr=True)


@app.command("sandbox")
def sandbox_bench(
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object on stdout."),
) -> None:
    """Warm reuse vs one fresh container per candidate, and parallel vs serial verification."""
    from sandbox.bench import main as run

    figures = run(err.print)
    if as_json:
        typer.echo(json.dumps(figures))
        return
    for key, value in figures.items():
        err.print(f"{key:>26}: {value}")
