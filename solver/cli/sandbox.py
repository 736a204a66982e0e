"""`solver sandbox ...`: housekeeping of sandbox containers."""

from __future__ import annotations

import time

import typer
from rich.console import Console

app = typer.Typer(help="Sandbox housekeeping.", no_args_is_help=True)
err = Console(stderr=True)


@app.command("reap")
def reap_cmd(
    everything: bool = typer.Option(
        False, "--all", help="Remove every managed container, not only stale ones."),
    settle: float = typer.Option(
        5.0, help="Keep passing once a second for this long: a killed client's requests may "
        "still be creating containers in a busy engine."),
) -> None:
    """Remove containers left behind by crashed or killed runs (label solver.managed=true)."""
    from sandbox import SandboxError, docker_client, reap

    try:
        client = docker_client()
        removed = reap(client, everything=everything, log=err.print)
        deadline = time.monotonic() + settle
        while time.monotonic() < deadline:
            time.sleep(1.0)
            removed += reap(client, everything=everything, log=err.print)
    except SandboxError as exc:
        err.print(f"[red]{exc}[/red]")
        raise typer.Exit(2) from exc
    err.print(f"removed {len(removed)} container(s)")
