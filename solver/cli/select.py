"""`solver select TASKS --candidates FILE ... --out DIR`: one patch per instance from anyone's."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, NoReturn

import typer
from rich.console import Console

if TYPE_CHECKING:
    from solver.harness.select_run import Judging

err = Console(stderr=True)


def select(
    tasks_path: Annotated[Path, typer.Argument(metavar="TASKS", help="Tasks: file or folder.")],
    candidates: Annotated[list[Path], typer.Option(
        "--candidates", help="SWE-bench predictions (.jsonl/.json) or a `solver eval` run "
        "directory; repeat for more sources.")],
    out: Annotated[Path, typer.Option(help="Output directory.")],
    repos_dir: Annotated[Path | None, typer.Option(
        help="Mirrors of the repositories, one per owner/name (SWE-bench tasks).")] = None,
    instances: Annotated[str, typer.Option(help="Comma-separated instance ids.")] = "",
    protocol: Annotated[str, typer.Option(
        help="issue: the pick sees the issue and the repository only (default for tasks with "
        "hidden tests); tests: it sees the grading tests.")] = "",
    test_timeout: Annotated[float, typer.Option(help="Seconds per test.")] = 60.0,
    model: Annotated[str | None, typer.Option(
        help="A model that votes where the execution evidence leaves a tie (litellm name, e.g. "
        "openai/NAME; or SOLVER_MODEL): it sees the issue, the diffs and their evidence only.")
    ] = None,
    api_base: Annotated[str | None, typer.Option(help="The model's OpenAI-compatible endpoint.")
                        ] = None,
    max_cost: Annotated[float | None, typer.Option(
        help="Dollars the model judge may spend per instance (past it, its ballots abstain).")
    ] = None,
    resume: Annotated[bool, typer.Option(
        help="Skip instances already in results.jsonl (a fresh run refuses a non-empty one).")
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object on stdout.")] = False,
) -> None:
    """Verify every candidate in the sandbox, pick one per instance by the tournament, then grade
    them all where hidden tests exist: oracle, selected, random, majority, each source.

    Exit codes: 0 done, 2 bad input or environment."""
    from sandbox import SandboxConfig, SandboxError
    from solver.harness.evaluate import select_tasks
    from solver.harness.pools import PoolError, load_pools
    from solver.harness.select_report import summarize, write_report
    from solver.harness.select_run import RESULTS, SelectResult, run_select
    from solver.protocol import PROTOCOLS, Protocol
    from tasks.load import load_tasks

    if protocol and protocol not in PROTOCOLS:
        fail(f"--protocol {protocol!r}: expected one of {', '.join(PROTOCOLS)}", as_json)
    chosen_protocol: Protocol | None = (
        "issue" if protocol == "issue" else "tests" if protocol == "tests" else None)
    try:
        pools, problems = load_pools(candidates)
    except PoolError as exc:
        fail(str(exc), as_json)
    for problem in problems:
        err.print(f"[yellow]{problem}[/yellow]")
    if not tasks_path.exists():
        fail(f"{tasks_path}: no such file or directory", as_json)
    loaded = load_tasks(tasks_path)
    chosen = [t for t in select_tasks(loaded.tasks, instances) if t.instance_id in pools]
    if not chosen:
        fail("no instance has both a task and a candidate", as_json)
    if (out / RESULTS).exists() and (out / RESULTS).stat().st_size and not resume:
        fail(f"{out / RESULTS} exists: pass --resume to continue that run", as_json)
    sources = source_names(candidates, pools)

    def on_done(result: SelectResult) -> None:
        picked = "-" if result.selected is None else result.records[result.selected].resolved
        err.print(f"{result.instance_id}: {len(result.records)} distinct candidate(s), "
                  f"pick resolved: {picked}{'; ' + result.error if result.error else ''}")

    start = time.monotonic()
    try:
        results = run_select(chosen, pools, out, chosen_protocol, repos_dir,
                             SandboxConfig(test_timeout_s=test_timeout), on_done,
                             judging_for(model, api_base, max_cost))
    except SandboxError as exc:
        fail(str(exc), as_json)
    meta: dict[str, Any] = {"name": out.name, "sources": sources,
                            "wall_s": round(time.monotonic() - start, 1)}
    report = write_report(out, results, meta)
    summary = summarize(results, sources)
    err.print(f"selected {summary['selected']} resolved of {summary['graded']} graded "
              f"(oracle {summary['oracle']}, majority {summary['majority']}, random "
              f"{summary['random']}); report: {report}")
    if as_json:
        typer.echo(json.dumps({"summary": summary, "report": str(report), "exit_code": 0}))


def judging_for(model: str | None, api_base: str | None, max_cost: float | None = None
                ) -> Judging | None:
    """A factory of model judges (each charged to a ledger of its own), or None without a
    model (from --model or SOLVER_MODEL)."""
    import os

    if not (model or os.environ.get("SOLVER_MODEL")):
        return None
    from solver.generators.llm import ModelClient, Spend, load_model_config
    from solver.selection.llm_judge import LLMJudge
    from solver.types import Ledger

    config = load_model_config({"model": model, "api_base": api_base})

    def make() -> tuple[LLMJudge, Ledger]:
        ledger = Ledger()
        return LLMJudge(ModelClient(config, Spend(ledger, max_cost_usd=max_cost))), ledger

    return make


def source_names(paths: list[Path], pools: dict[str, Any]) -> list[str]:
    """A name per --candidates source: its candidates' model name, else the file's."""
    names = []
    for place, path in enumerate(paths):
        found = {c.source for p in pools.values() for c in p.candidates if c.place == place}
        name = sorted(found)[0] if len(found) == 1 else (path.name if path.is_dir() else path.stem)
        names.append(name if name not in names else f"{name} ({path.name})")
    return names


def fail(message: str, as_json: bool) -> NoReturn:
    err.print(f"[red]{message}[/red]")
    if as_json:
        typer.echo(json.dumps({"error": message, "exit_code": 2}))
    raise typer.Exit(2)
