"""`solver images ...`: the base and environment images."""

from __future__ import annotations

import time

import typer
from rich.console import Console

app = typer.Typer(help="Build and inspect sandbox images.", no_args_is_help=True)
err = Console(stderr=True)


@app.command("build")
def build(
    python: str = typer.Option("3.11", help="Python version of the base image."),
    env: bool = typer.Option(True, help="Also build the default env layer (venv with pytest)."),
) -> None:
    """Pull python:X-slim where a registry answers, else build it offline (debootstrap)."""
    from sandbox import SandboxError, docker_client, ensure_base_image, ensure_env_image
    from sandbox.images import describe

    start = time.monotonic()
    try:
        client = docker_client()
        base = ensure_base_image(client, python, log=err.print)
        tags = [base, ensure_env_image(client, base, log=err.print)] if env else [base]
    except SandboxError as exc:
        err.print(f"[red]{exc}[/red]")
        raise typer.Exit(2) from exc
    for tag in tags:
        info = describe(client, tag)
        err.print(f"{info['tag']}  {info['id']}  {info['size_mb']} MB")
    err.print(f"ready in {time.monotonic() - start:.2f}s")
