"""`solver ci [PATH]`: fix the failing tests of a checkout, as a CI bot would."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from solver.cli.options import Flags, load_or_exit, with_solver_options
from solver.jobs.ci import Output

err = Console(stderr=True)


@with_solver_options
def ci(
    path: Annotated[Path, typer.Argument(help="A checkout whose tests fail.")] = Path(),
    test_cmd: Annotated[str, typer.Option(help="The test command (pytest).")] = "python -m pytest",
    install_cmd: Annotated[str, typer.Option(help="Run once when the environment is built.")] = "",
    output: Annotated[Output, typer.Option(
        help="patch: write solver-fix.patch; apply: apply to the work tree; "
        "branch: commit on a new branch solver/fix-<sha>.")] = Output.PATCH,
    out: Annotated[Path | None, typer.Option(help="Run directory for the trajectory.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object on stdout.")] = False,
    *,
    flags: Flags,
) -> None:
    """Run the suite in the sandbox, find what fails, solve it, hand over the fix.

    Settings also come from the checkout's pyproject.toml ([tool.solver]) or solver.toml. The
    model's key comes from SOLVER_API_KEY or the provider's variable, and never enters the
    sandbox. Exit codes: 0 fixed (or nothing failing), 1 no fix found, 2 usage or environment
    error.
    """
    import anyio

    from sandbox import SandboxError, docker_client
    from solver.cli.solve import run
    from solver.jobs.ci import ci_task, render_summary, short_sha
    from solver.jobs.discover import discover_tests
    from solver.jobs.run import summarize
    from tasks.source import SourceError

    if not path.is_dir():
        err.print(f"[red]{path}: not a folder[/red]")
        raise typer.Exit(2)
    config = load_or_exit(flags, path)
    try:
        client = docker_client()
        try:
            task = discover_tests(client, ci_task(path, test_cmd, install_cmd),
                                  config=config.sandbox())
        finally:
            client.close()
        context = {"sha": short_sha(path), "failing": task.fail_to_pass,
                   "passing": task.pass_to_pass, "nothing_failing": not task.fail_to_pass}
        if not task.fail_to_pass:
            finish(render_summary(context | {"plausible": False}), {**context}, as_json, 0)
        err.print(f"{len(task.fail_to_pass)} failing test(s); solving")
        folder = out / "trajectories" / task.instance_id if out is not None else None
        result, _ = anyio.run(run, task, config, folder)
    except (SandboxError, SourceError, ValueError) as exc:
        err.print(f"[red]{exc}[/red]")
        raise typer.Exit(2) from exc
    where = ""
    if result.plausible:
        where = hand_over(path, output, result.patch, len(task.fail_to_pass))
    summary = summarize(result, result.ledger.wall_s)
    markdown = render_summary(context | summary | {"where": where})
    finish(markdown, context | summary | {"output": output.value, "where": where}, as_json,
           0 if result.plausible else 1)


def hand_over(path: Path, output: Output, patch: str, failing: int) -> str:
    """Deliver the patch as asked; returns a sentence for the summary."""
    from solver.jobs.ci import apply_to_work_tree, commit_on_branch, write_patch

    if output is Output.APPLY:
        apply_to_work_tree(path, patch)
        return "The patch has been applied to the work tree."
    if output is Output.BRANCH:
        message = f"Fix {failing} failing test(s)\n\nProposed by tts-solver."
        branch = commit_on_branch(path, patch, message)
        return f"The patch is committed on the branch `{branch}`."
    return f"The patch is in `{write_patch(path, patch)}`."


def finish(markdown: str, data: dict[str, object], as_json: bool, code: int) -> None:
    from solver.jobs.ci import publish_summary

    publish_summary(markdown)
    if as_json:
        typer.echo(json.dumps(data | {"summary": markdown}))
    else:
        typer.echo(markdown)
    raise typer.Exit(code)
