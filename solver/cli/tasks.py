"""`solver tasks`: load and inspect tasks."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from tasks.load import load_tasks
from tasks.model import Task

app = typer.Typer(help="Load and inspect tasks (JSONL, SWE-bench JSON, task folders).")

HELD_BACK = {"patch", "hidden_tests_patch"}
"""Fields never printed: the gold patch and the held-back tests."""


@app.callback()
def main() -> None:
    """Load and inspect tasks (JSONL, SWE-bench JSON, task folders)."""


@app.command("list")
def list_tasks(
    path: Annotated[Path, typer.Argument(help="A .jsonl / .json file, a task folder or a folder.")],
    as_json: Annotated[
        bool, typer.Option("--json", help="Print a JSON array on stdout instead of a table.")
    ] = False,
) -> None:
    """List the tasks under PATH; records that fail to load are reported on stderr."""
    if not path.exists():
        typer.echo(f"{path}: no such file or folder", err=True)
        raise typer.Exit(2)
    result = load_tasks(path)
    if as_json:
        typer.echo(json.dumps([task_summary(task) for task in result.tasks], indent=1))
    elif result.tasks:
        Console().print(task_table(result.tasks))
    for error in result.errors:
        typer.echo(str(error), err=True)
    if not result.tasks:
        if not result.errors:
            typer.echo(f"{path}: no tasks", err=True)
        raise typer.Exit(1)


def task_summary(task: Task) -> dict[str, Any]:
    """A task as JSON-ready data under its published field names, held-back fields left out."""
    return task.model_dump(mode="json", by_alias=True, exclude=HELD_BACK)


def task_table(tasks: list[Task]) -> Table:
    table = Table(title=f"{len(tasks)} task(s)")
    table.add_column("instance_id", overflow="fold")
    table.add_column("repo / path", overflow="fold")
    table.add_column("#F2P", justify="right", no_wrap=True, min_width=4)
    table.add_column("#P2P", justify="right", no_wrap=True, min_width=4)
    table.add_column("problem", overflow="ellipsis", min_width=12)
    for task in tasks:
        table.add_row(
            task.instance_id,
            task.repo or _display_path(task.path),
            str(len(task.fail_to_pass)),
            str(len(task.pass_to_pass)),
            _first_line(task.problem_statement),
        )
    return table


def _display_path(path: Path | None) -> str:
    """`path` relative to the working folder where it lies below it, for a narrower table."""
    if path is None:
        return ""
    return str(path.relative_to(Path.cwd())) if path.is_relative_to(Path.cwd()) else str(path)


def _first_line(text: str, limit: int = 80) -> str:
    line = next((line.strip() for line in text.splitlines() if line.strip()), "")
    return line if len(line) <= limit else line[: limit - 1] + "…"


@app.command("validate")
def validate(
    path: Annotated[Path, typer.Argument(help="A .jsonl / .json file, a task folder or a folder.")],
    repos_dir: Annotated[Path | None, typer.Option(
        help="Mirrors of the repositories: owner+name/repo, owner/name or owner__name.")] = None,
    instances: Annotated[
        str, typer.Option(help="Comma-separated instance ids to validate (default: all).")
    ] = "",
    out: Annotated[Path | None, typer.Option(
        help="Run directory: results.jsonl appended per instance, report.json, report.html.")
    ] = None,
    workers: Annotated[int, typer.Option(help="Instances at once.")] = 1,
    shard: Annotated[str, typer.Option(help="k/N: the k-th of N deterministic slices.")] = "",
    resume: Annotated[bool, typer.Option(
        help="Skip instances already in --out's results.jsonl.")] = False,
    retry_failed: Annotated[bool, typer.Option(
        help="With --resume: attempt again the instances whose last attempt failed.")] = False,
    as_json: Annotated[bool, typer.Option(
        "--json", help="Print one JSON object on stdout (results, table per repository).")
    ] = False,
    max_image_gb: Annotated[float | None, typer.Option(
        help="Disk budget of the solver's image cache: least recently used images no container "
        "uses are removed after each instance (default: half of the cache plus the free disk; "
        "0: no budget).")] = None,
) -> None:
    """In the sandbox: FAIL_TO_PASS fail on the base tree; with the gold patch, all pass."""
    from solver.cli.validate import run_validate

    raise typer.Exit(run_validate(path, repos_dir, instances, out, workers, shard,
                                  resume or retry_failed, retry_failed, as_json, max_image_gb))


@app.command("synth")
def synth(
    packages: Annotated[list[str] | None, typer.Argument(
        help="PKG, PKG==VER (PyPI sdist), a git URL or a local checkout (path with a /).")] = None,
    max_tasks: Annotated[int, typer.Option("--max", help="Most tasks per package.", min=1)] = 30,
    out: Annotated[Path, typer.Option(
        help="Where <pkg>.jsonl, repos/, synth-report.ndjson go.")] = Path("runs/synth"),
    seed: Annotated[int, typer.Option(help="Seed of the mutation order.")] = 0,
    workers: Annotated[int, typer.Option(help="Packages synthesized at once.", min=1)] = 1,
    from_file: Annotated[Path | None, typer.Option(
        "--from", help="A file of specs, one a line (# comments).")] = None,
    corpus: Annotated[Path | None, typer.Option(
        help="Export the run's tasks (no trees) and manifest to this corpus folder "
             "(tasks/synth/corpus).")] = None,
    rebuild: Annotated[Path | None, typer.Option(
        help="Rebuild a corpus folder's trees from PyPI by hash into --out/<split>/.")] = None,
    validate_rebuilt: Annotated[bool, typer.Option(
        "--validate", help="With --rebuild: validate every task in the sandbox.")] = False,
    export_sample: Annotated[int, typer.Option(help="Copy N tasks/package to the sample.")] = 0,
    validate_sample: Annotated[bool, typer.Option(help="Validate tasks/synth/sample.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object on stdout.")] = False,
) -> None:
    """Inject bugs into projects and keep those their own tests catch (recipes detected;
    tasks/synth/packages.toml overrides). A project whose tests cannot run is skipped."""
    from solver.cli.synth import run_rebuild, run_sample, run_synth

    specs = list(packages or [])
    if from_file is not None:
        if not from_file.is_file():
            _fail(f"{from_file}: no such file", as_json)
        specs += [line.split("#")[0].strip() for line in from_file.read_text().splitlines()
                  if line.split("#")[0].strip()]
    if rebuild is not None:
        if not (rebuild / "manifest.toml").is_file():
            _fail(f"{rebuild}: no manifest.toml", as_json)
        raise typer.Exit(run_rebuild(rebuild, out, validate_rebuilt, as_json))
    if not specs and not (export_sample or validate_sample):
        _fail("nothing to do: name packages (or --from FILE, --rebuild DIR)", as_json)
    status = run_synth(specs, max_tasks, out, seed, workers, corpus, as_json) if specs else 0
    raise typer.Exit(status or run_sample(out, export_sample, validate_sample))


def _fail(message: str, as_json: bool) -> None:
    typer.echo(json.dumps({"error": message}) if as_json else message, err=not as_json)
    raise typer.Exit(2)
