"""`solver images ...`: the base and environment images."""

from __future__ import annotations

import json
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
    from sandbox.image_cache import prune_images

    try:
        removed = prune_images(docker_client(), older_than * 3600, dry_run)
    except SandboxError as exc:
        err.print(f"[red]{exc}[/red]")
        raise typer.Exit(2) from exc
    verb = "would remove" if dry_run else "removed"
    err.print(f"{verb} {len(removed)} image(s)")
    for tag in removed:
        typer.echo(tag)


@app.command("ls")
def ls(
    as_json: bool = typer.Option(False, "--json", help="One JSON array on stdout."),
) -> None:
    """The solver's cached images, least recently used first: own bytes (what removing it
    frees), all bytes, containers using it, created and last used."""
    from rich.table import Table

    from sandbox import SandboxError, docker_client
    from sandbox.image_cache import list_cached

    try:
        images = list_cached(docker_client())
    except SandboxError as exc:
        err.print(f"[red]{exc}[/red]")
        raise typer.Exit(2) from exc
    if as_json:
        typer.echo(json.dumps([vars(image) for image in images]))
        return
    table = Table("tag", "own MB", "size MB", "containers", "created", "last used")
    table.columns[0].no_wrap = True
    for image in images:
        table.add_row(image.tag, f"{image.own / 1e6:.0f}", f"{image.size / 1e6:.0f}",
                      str(image.containers), _when(image.created), _when(image.last_used))
    Console().print(table)
    err.print(f"{len(images)} image(s), {sum(i.own for i in images) / 1e9:.2f} GB of their own")


def _when(stamp: float) -> str:
    return time.strftime("%Y-%m-%d %H:%M", time.gmtime(stamp))
