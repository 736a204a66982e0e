"""`solver sandbox ...`: housekeeping of sandbox containers, and one patch verified."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, NoReturn

import typer
from rich.console import Console

if TYPE_CHECKING:
    from sandbox import Verdict

app = typer.Typer(help="Sandbox housekeeping, and one patch verified.", no_args_is_help=True)
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


@app.command("verify")
def verify_cmd(
    checkout: Annotated[Path, typer.Argument(help="The project folder (its tree as it is).")],
    patch: Annotated[Path | None, typer.Option(
        "--patch", help="The unified diff to verify (required).")] = None,
    tests: Annotated[list[str] | None, typer.Option(
        "--tests", help="A pytest id to run (repeat the option); all tests when left out.")] = None,
    test_cmd: Annotated[str, typer.Option(help="The test command (pytest).")] = "python -m pytest",
    install_cmd: Annotated[str, typer.Option(
        help="Run once when the environment is built; detected when left out; `none`: "
        "nothing.")] = "",
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object on stdout.")] = False,
) -> None:
    """Verify one patch in the sandbox and print its verdict: applied, passed, per-test
    outcomes, the reason, integrity findings. Exit 0 passed, 1 not passed, 2 usage or
    environment error."""
    from sandbox import SandboxError
    from solver.jobs.ci import CiError
    from tasks.source import SourceError

    try:
        if patch is None:
            raise ValueError("--patch FILE is required: the unified diff to verify")
        diff = read_patch(patch)
        verdict = verify_checkout(checkout, diff, tests or [], test_cmd, install_cmd)
    except (CiError, SandboxError, SourceError, ValueError, OSError) as exc:
        report_error(str(exc).strip().splitlines()[-1] if str(exc).strip() else repr(exc),
                     as_json)
    passed = verdict_passed(verdict, tests or [])
    if as_json:
        print(json.dumps({"passed": passed, **verdict.model_dump(mode="json")}))
    else:
        print_verdict(verdict, passed)
    raise typer.Exit(0 if passed else 1)


def read_patch(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ValueError(f"--patch {path}: cannot read it ({exc.__class__.__name__})") from exc


def verify_checkout(
    checkout: Path, diff: str, tests: list[str], test_cmd: str, install_cmd: str,
) -> Verdict:
    """The checkout's environment (built or found in the cache), one session, one verdict."""
    from sandbox import SandboxConfig, Session, check_patch, docker_client
    from sandbox.environment import prepare
    from solver.jobs.ci import Output, ci_task, plan_ci

    plan = plan_ci(checkout, test_cmd, install_cmd, Output.PATCH)
    check_patch(diff)  # a patch git cannot read is a usage error, before any image is built
    client = docker_client()
    try:
        env = prepare(client, ci_task(checkout, plan.test_cmd, plan.install_cmd), log=err.print)
        config = env.sandbox_config(SandboxConfig(capacity=1))
        with Session(client, env.image, config, env.spec) as session:
            return session.verify(diff, tests, candidate_id=checkout.resolve().name)
    finally:
        client.close()


def verdict_passed(verdict: Verdict, tests: list[str]) -> bool:
    """Applied, every test asked for (or, with none named, every test run) passed, and no
    integrity finding that rejects the patch."""
    if any(f.severity == "reject" for f in verdict.integrity):
        return False
    return verdict.passed(tests) if tests else verdict.all_passed


def print_verdict(verdict: Verdict, passed: bool) -> None:
    out = Console(highlight=False, soft_wrap=True)
    flagged = " (flagged: gaming the tests)" if verdict.gaming else ""
    out.print(f"applied: {'yes' if verdict.applied else 'no'}; passed: "
              f"{'yes' if passed else 'no'}{flagged}", markup=False)
    if verdict.reason:
        out.print(f"reason: {verdict.reason}", markup=False)
    for test_id, result in sorted(verdict.tests.items()):
        out.print(f"  {result.outcome.value:8} {test_id}", markup=False)
    for finding in verdict.integrity:
        out.print(f"integrity ({finding.kind}, {finding.severity.value}): {finding.detail}",
                  markup=False)


def report_error(message: str, as_json: bool) -> NoReturn:
    if as_json:
        print(json.dumps({"passed": False, "error": message}))
    else:
        err.print(message, markup=False, highlight=False)
    raise typer.Exit(2)
