"""`solver sandbox ...`: housekeeping of sandbox containers."""

from __future__ import annotations

import typer
from rich.console import Console

app = typer.Typer(help="Sandbox housekeeping.", no_args_is_help=True)
err = Console(stderr=True)


@app.command("reap")
def reap_cmd(
    everything: bool = typer.Option(
        False, "--all", help="Remove every managed container, not only stale ones."),
) -> None:
    """Remove containers left behind by crashed or killed runs (label solver.managed=true)."""
    from sandbox import SandboxError, docker_client, reap

    try:
        removed = reap(docker_client(), everything=everything, log=err.print)
    except SandboxError as exc:
        err.print(f"[red]{exc}[/red]")
        raise typer.Exit(2) from exc
    err.print(f"removed {len(removed)} container(s)")
