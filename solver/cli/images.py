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


@app.command("prune")
def prune(
    older_than: float = typer.Option(
        168.0, help="Hours: only images created longer ago than this are removed."),
    dry_run: bool = typer.Option(False, "--dry-run", help="List what would be removed."),
) -> None:
    """Remove cached session, coverage and env images no container uses (rebuilt on demand)."""
    from sandbox import SandboxError, docker_client
    from sandbox.images import prune_images

    try:
        removed = prune_images(docker_client(), older_than * 3600, dry_run)
    except SandboxError as exc:
        err.print(f"[red]{exc}[/red]")
        raise typer.Exit(2) from exc
    verb = "would remove" if dry_run else "removed"
    err.print(f"{verb} {len(removed)} image(s)")
    for tag in removed:
        typer.echo(tag)
