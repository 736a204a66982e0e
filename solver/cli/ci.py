"""`solver ci [PATH]`: fix the failing tests of a checkout, as a CI bot would."""

from __future__ import annotations

import json
import signal
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, NoReturn

import typer
from rich.console import Console

from solver.cli.options import Flags, with_solver_options
from solver.jobs.ci import Output

if TYPE_CHECKING:
    from solver.config import SolverConfig

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

    With no --install-cmd, the install a developer would run is detected (pyproject / setup.py /
    setup.cfg with their test extra, requirements files, tox deps); `--install-cmd none` installs
    nothing. Settings also come from the checkout's pyproject.toml (\\[tool.solver]) or
    solver.toml; the model's key comes from SOLVER_API_KEY or the provider's variable, and never
    enters the sandbox. Exit codes: 0 fixed (or nothing failing), 1 no fix found, 2 usage or
    environment error, 130 interrupted. Every path prints one JSON object with --json and writes
    the step summary.
    """
    from sandbox import SandboxError
    from solver.config import load_config
    from solver.faults import infra_message
    from solver.jobs.ci import CiError
    from tasks.source import SourceError

    previous = signal.signal(signal.SIGINT, interrupt)
    try:
        # the failing tests are the task: always --protocol tests (solver/protocol.py)
        config = load_config({**flags, "protocol": "tests"}, path if path.is_dir() else Path())
        markdown, data, code = solve_checkout(path, test_cmd, install_cmd, output, out, config)
    except (CiError, SandboxError, SourceError, ValueError) as exc:
        fail(infra_message(exc) or str(exc), as_json, 2)
    except KeyboardInterrupt:
        fail(f"interrupted; {cleaned_up()}", as_json, 130)
    except Exception as exc:  # the machinery (disk, engine, endpoint) failed: one line, exit 2
        message = infra_message(exc)
        if message is None:
            raise
        fail(message, as_json, 2)
    finally:
        signal.signal(signal.SIGINT, previous)
    finish(markdown, data, as_json, code)


def interrupt(signum: int, frame: object) -> None:
    """Ctrl-C stops the run where it is. (Left to asyncio's own handler, it cancels the event
    loop's main task instead, and a cancellation absorbed on the way let an interrupted run
    finish and exit 0.)"""
    raise KeyboardInterrupt


def solve_checkout(
    path: Path, test_cmd: str, install_cmd: str, output: Output, out: Path | None,
    config: SolverConfig,
) -> tuple[str, dict[str, object], int]:
    """(summary, JSON data, exit code) of a run whose preconditions hold; raises on the rest."""
    import anyio

    from sandbox import docker_client
    from solver.cli.solve import note, run
    from solver.jobs.ci import ci_task, plan_ci, render_summary, short_sha
    from solver.jobs.discover import discover_tests
    from solver.jobs.run import summarize_result

    plan = plan_ci(path, test_cmd, install_cmd, output)
    for line in plan.notes:
        note(line)
    client = docker_client()
    try:
        found = discover_tests(client, ci_task(path, plan.test_cmd, plan.install_cmd),
                               config=config.sandbox(), log=note)
    finally:
        client.close()
    task = found.task
    context = {"sha": short_sha(path), "failing": task.fail_to_pass, "trajectory": "",
               "passing": task.pass_to_pass, "unstable": found.unstable,
               "collection_errors": found.collection_errors,
               "nothing_failing": not task.fail_to_pass,
               "install": plan.install_cmd, "test_cmd": plan.test_cmd, "exit_code": 0}
    if not task.fail_to_pass:
        return render_summary(context | {"plausible": False}), context, 0
    for line in found.collection_errors:
        err.print(f"collection error: {line}", markup=False, highlight=False, soft_wrap=True)
    err.print(f"{len(task.fail_to_pass)} failing test(s); solving")
    folder = out / "trajectories" / task.instance_id if out is not None else None
    result, _ = anyio.run(run, task, config, folder)
    summary = summarize_result(result, result.ledger.wall_s)
    code = 0 if result.plausible else 1
    context |= {"trajectory": str(folder) if folder is not None and folder.exists() else "",
                "output": output.value, "exit_code": code}
    delivered: dict[str, object] = {"where": ""}
    if result.plausible:
        delivered = hand_over(path, output, result.patch, len(task.fail_to_pass), plan.snapshot)
    markdown = render_summary(context | summary | delivered)
    exit_code = delivered.get("exit_code", code)
    assert isinstance(exit_code, int)
    return markdown, context | summary | delivered, exit_code


def hand_over(
    path: Path, output: Output, patch: str, failing: int, snapshot: bool,
) -> dict[str, object]:
    """The patch file, always; then apply or commit as asked. Returns `where` (a sentence for
    the summary), `patch_file`, `branch`, and `error` + exit code 2 when delivery failed."""
    import git

    from sandbox.diffcheck import PatchRejected
    from solver.jobs.ci import apply_to_work_tree, commit_on_branch, write_patch

    data: dict[str, object] = {"patch_file": "", "branch": ""}
    sentences = []
    try:
        if output is Output.APPLY:
            apply_to_work_tree(path, patch)
            sentences.append("The patch has been applied to the work tree.")
        elif output is Output.BRANCH:
            message = f"Fix {failing} failing test(s)\n\nProposed by tts-solver."
            data["branch"] = commit_on_branch(path, patch, message, snapshot)
            sentences.append(f"The patch is committed on the branch `{data['branch']}`.")
    except (git.GitCommandError, PatchRejected, OSError) as exc:
        reason = str(exc).strip().splitlines()[-1] if str(exc).strip() else type(exc).__name__
        data |= {"error": f"--output {output.value} failed: {reason}", "exit_code": 2}
        sentences.append(f"**--output {output.value} failed**: {reason}")
    target = write_patch(path, patch)
    data["patch_file"] = str(target)
    sentences.append(f"The patch is in `{target}`.")
    return data | {"where": " ".join(sentences)}


def cleaned_up() -> str:
    """What an interrupted run left, removed now: this process's sandbox containers."""
    from sandbox import SandboxError, docker_client
    from sandbox.reaper import reap_own

    try:
        client = docker_client()
    except SandboxError:
        return "no Docker engine answers, so no container of this run can be left"
    try:
        removed = reap_own(client)
    finally:
        client.close()
    left = f"removed {len(removed)} sandbox container(s) of this run" if removed else \
        "no sandbox container of this run was left"
    return f"{left}; temporary folders removed; no patch written"


def fail(message: str, as_json: bool, code: int) -> NoReturn:
    from solver.jobs.ci import render_error

    err.print(message, style="red", markup=False, highlight=False, soft_wrap=True)
    finish(render_error(message), {"error": message, "exit_code": code}, as_json, code,
           echo_markdown=False)


def finish(markdown: str, data: dict[str, object], as_json: bool, code: int,
           echo_markdown: bool = True) -> NoReturn:
    from solver.jobs.ci import publish_summary

    publish_summary(markdown)
    if as_json:
        typer.echo(json.dumps(data | {"summary": markdown, "exit_code": code}, default=str))
    elif echo_markdown:
        typer.echo(markdown)
    raise typer.Exit(code)
