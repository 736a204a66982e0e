"""Tasks synthesized from a PyPI package's own test suite (SWE-smith's procedural mode).

    recipe (tasks/synth/packages.toml) ─► sdist (pip download, cached) ─► git repo, `pristine`
    ─► env image (test deps) + session image (pristine tree)
    ─► baseline: the suite once, under coverage (passing tests, lines each one covers)
    ─► mutants (solver.synthesis.mutate) ─► SandboxPool: the covering tests, fail-fast filter,
       then the full covering set for the survivors' FAIL_TO_PASS / PASS_TO_PASS
    ─► one branch per kept bug in the repo ─► <out>/<package>.jsonl (solver.synthesis.write)

A task's `path` is the package's repo and `base_commit` its bug's commit, so `solver tasks
validate <out>/<package>.jsonl` works as for any task. The committed sample carries neither:
`materialize` (solver.synthesis.sample) rebuilds them from `repo: pypi:<package>==<version>`
and the sdist's sha256.
"""

from __future__ import annotations

import functools
import json
import shlex
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import anyio
import docker

from sandbox import (
    Outcome,
    RunSpec,
    SandboxConfig,
    SandboxError,
    SandboxPool,
    Session,
    Verdict,
    docker_client,
    ensure_base_image,
    ensure_env_image,
    ensure_session_image,
)
from sandbox.pool import Diff
from solver.analysis.spectrum import spectrum_from_coverage
from solver.synthesis.mutate import Mutant, mutants_of
from solver.synthesis.recipes import Recipe, recipe_for
from solver.synthesis.repo import commit_bug, prepare_repo
from solver.synthesis.sample import (
    MANIFEST,
    SAMPLE,
    export_sample,
    load_sample,
    materialize,
    read_manifest,
)
from solver.synthesis.write import build_task
from tasks.diffs import render_file_diff
from tasks.model import Task

# The sample's entry points stay importable from here (solver/cli/bench.py uses them).
__all__ = [
    "MANIFEST", "Baseline", "Recipe", "SynthReport", "export_sample", "load_sample",
    "materialize", "read_manifest", "run_cli", "synthesize",
]

Log = Callable[[str], None]
REPO_ROOT = "/testbed"
MUTANTS_PER_TASK = 6
"""Mutants tried per wanted task (most bugs are caught by no test or by too many)."""
BATCH = 8


@dataclass
class Baseline:
    passing: list[str]
    covering: dict[tuple[str, int], set[str]]
    """(file, line) → the passing tests that run it."""
    seconds: float

    def tests_for(self, mutant: Mutant) -> list[str]:
        found: set[str] = set()
        for line in range(mutant.line, mutant.end_line + 1):
            found |= self.covering.get((mutant.file, line), set())
        return sorted(found)


@dataclass
class SynthReport:
    package: str
    version: str
    produced: int = 0
    """Mutants that compile."""
    covered: int = 0
    """Of those, mutants some passing test runs."""
    tried: int = 0
    """Mutants verified in the sandbox."""
    kept: int = 0
    baseline_passed: int = 0
    seconds: float = 0.0
    out_file: str = ""
    families: dict[str, int] = field(default_factory=dict)


def synth_config() -> SandboxConfig:
    """Short deadlines: a bug that loops is dropped, not waited for."""
    return SandboxConfig(run_timeout_s=120.0, test_timeout_s=10.0, host_grace_s=20.0)


def run_baseline(
    client: docker.DockerClient, image: str, spec: RunSpec, recipe: Recipe
) -> Baseline:
    """The whole suite once, under coverage with one context per test."""
    start = time.monotonic()
    config = SandboxConfig(run_timeout_s=900.0, test_timeout_s=120.0)
    with Session(client, image, config, spec) as session:
        result = session.collect_coverage(recipe.test_paths)
    passing = sorted(t for t, r in result.verdict.tests.items() if r.outcome == Outcome.PASSED)
    if not passing or result.data is None:
        tail = result.verdict.reason or result.verdict.log_tail[-1500:]
        raise RuntimeError(f"{recipe.package}: the baseline run passed no test: {tail}")
    with tempfile.TemporaryDirectory(prefix="solver-cov-") as tmp:
        data_file = Path(tmp) / "coverage"
        data_file.write_bytes(result.data)
        spectrum = spectrum_from_coverage(data_file, dict.fromkeys(passing, True), REPO_ROOT)
    covering: dict[tuple[str, int], set[str]] = {}
    for test, lines in spectrum.covered.items():
        for line in lines:
            covering.setdefault(line, set()).add(test)
    return Baseline(passing, covering, time.monotonic() - start)


def broken_tests(verdict: Verdict, tests: Sequence[str]) -> list[str] | None:
    """The tests the bug breaks; None when the run cannot be trusted to say so."""
    if not verdict.applied or verdict.timed_out or verdict.reason:
        return None
    outcomes = [verdict.outcome(t) for t in tests]
    if any(o in (Outcome.TIMEOUT,) for o in outcomes):
        return None
    return [t for t, o in zip(tests, outcomes, strict=True) if o in (Outcome.FAILED, Outcome.ERROR)]


async def judge_mutant(pool: SandboxPool, mutant: Mutant, tests: list[str]) -> Verdict | None:
    """Fail-fast filter, then the full covering set; the full verdict of a kept bug."""
    diff = render_file_diff(mutant.file, mutant.original, mutant.source)
    quick = await pool.verify_with(Diff(diff), tests, fail_fast=True)
    if not broken_tests(quick, tests):
        return None
    full = await pool.verify_with(Diff(diff), tests)
    failing = broken_tests(full, tests)
    if not failing or any(full.outcome(t) == Outcome.MISSING for t in tests):
        return None
    return full


async def synthesize(
    recipe: Recipe, out: Path, max_tasks: int = 30, seed: int = 0,
    config: SandboxConfig | None = None, log: Log = lambda _: None,
) -> SynthReport:
    """Up to `max_tasks` validated-by-construction tasks of one package, in <out>/<pkg>.jsonl."""
    start = time.monotonic()
    report = SynthReport(recipe.package, recipe.version)
    repo = prepare_repo(recipe.package, recipe.version,
                        out / "repos" / f"{recipe.package}-{recipe.version}")
    client = docker_client()
    try:
        base = ensure_base_image(client, log=log)
        env = ensure_env_image(client, base, recipe.requirements, log=log)
        image = ensure_session_image(client, env, repo)
        spec = RunSpec(test_cmd=tuple(shlex.split(recipe.test_cmd)))
        baseline = await anyio.to_thread.run_sync(run_baseline, client, image, spec, recipe)
        report.baseline_passed = len(baseline.passing)
        log(f"{recipe.package}: baseline {len(baseline.passing)} passing tests "
            f"in {baseline.seconds:.0f}s")
        mutants = mutants_of(repo, recipe.source_dirs, seed, limit=max_tasks * MUTANTS_PER_TASK)
        report.produced = len(mutants)
        runnable = [(m, baseline.tests_for(m)) for m in mutants]
        runnable = [(m, tests) for m, tests in runnable if tests]
        report.covered = len(runnable)
        kept = await verify_mutants(image, spec, config or synth_config(), client, runnable,
                                    max_tasks, report, log)
        report.out_file = str(write_tasks(recipe, repo, out, kept, baseline, seed))
    finally:
        client.close()
    report.kept = len(kept)
    for mutant, _ in kept:
        report.families[mutant.family] = report.families.get(mutant.family, 0) + 1
    report.seconds = round(time.monotonic() - start, 1)
    return report


async def verify_mutants(
    image: str, spec: RunSpec, config: SandboxConfig, client: docker.DockerClient,
    runnable: list[tuple[Mutant, list[str]]], max_tasks: int, report: SynthReport, log: Log,
) -> list[tuple[Mutant, Verdict]]:
    """Mutants in order, a batch at a time over the pool, until `max_tasks` are kept."""
    found: dict[int, tuple[Mutant, Verdict]] = {}
    async with SandboxPool(image, spec, config, client) as pool:
        for offset in range(0, len(runnable), BATCH):
            batch = runnable[offset:offset + BATCH]

            async def one(index: int, mutant: Mutant, tests: list[str]) -> None:
                verdict = await judge_mutant(pool, mutant, tests)
                if verdict is not None:
                    found[index] = (mutant, verdict)

            async with anyio.create_task_group() as tg:
                for index, (mutant, tests) in enumerate(batch, start=offset):
                    tg.start_soon(one, index, mutant, tests)
            report.tried += len(batch)
            log(f"{report.package}: {report.tried}/{len(runnable)} tried, {len(found)} kept")
            if len(found) >= max_tasks:
                break
    return [found[i] for i in sorted(found)][:max_tasks]


def write_tasks(
    recipe: Recipe, repo: Path, out: Path, kept: list[tuple[Mutant, Verdict]],
    baseline: Baseline, seed: int,
) -> Path:
    """Each kept bug as a branch of the repo and a line of <out>/<package>.jsonl."""
    target = out / f"{recipe.package}.jsonl"
    lines = []
    for number, (mutant, verdict) in enumerate(kept, start=1):
        failing = broken_tests(verdict, list(verdict.tests)) or []
        messages = {t: r.message for t, r in verdict.tests.items()}
        task = build_task(
            package=recipe.package, version=recipe.version, number=number, file=mutant.file,
            original=mutant.original, buggy=mutant.source, failing=failing,
            passing=baseline.passing, messages=messages, test_cmd=recipe.test_cmd,
            requirements=recipe.requirements, bug_class=mutant.family, seed=seed,
        )
        sha = commit_bug(repo, task.instance_id, task.patch)
        record = task.model_dump(mode="json", by_alias=True)
        record.update(path=repo.relative_to(out).as_posix(), base_commit=sha,
                      hints_text="", synth={"family": mutant.family,
                                            "description": mutant.description,
                                            "file": mutant.file, "function": mutant.function})
        lines.append(json.dumps(record))
    target.write_text("".join(f"{line}\n" for line in lines), encoding="utf-8")
    return target


# ---------------------------------------------------------------- command line


def run_cli(
    packages: Sequence[str], max_tasks: int, out: Path, seed: int, export: int,
    validate_sample: bool,
) -> int:
    """`solver tasks synth`: an exit status; figures on stdout, progress on stderr."""
    def log(line: str) -> None:
        print(line, file=sys.stderr, flush=True)

    status = 0
    out.mkdir(parents=True, exist_ok=True)
    reports = []
    for spec in packages:
        recipe = recipe_for(spec)
        try:
            report = anyio.run(functools.partial(synthesize, recipe, out, max_tasks, seed,
                                                 log=log))
        except (RuntimeError, ValueError, SandboxError) as exc:
            print(f"{spec}: failed: {str(exc)[-2000:]}", flush=True)
            status = 1
            continue
        reports.append(report)
        print(f"{report.package}=={report.version}: {report.produced} produced, "
              f"{report.covered} covered, {report.tried} tried, {report.kept} kept "
              f"in {report.seconds:.0f}s → {report.out_file}", flush=True)
    if reports:
        (out / "report.json").write_text(json.dumps([r.__dict__ for r in reports], indent=1))
    if export:
        files = [Path(r.out_file) for r in reports] or sorted(out.glob("*.jsonl"))
        print(f"{export_sample(files, export)} tasks written to {SAMPLE}")
    if validate_sample:
        status = validate_tasks(load_sample(), log)
    return status


def validate_tasks(tasks: list[Task], log: Log) -> int:
    from solver.harness.validate import validate_all

    start = time.monotonic()
    checks = anyio.run(lambda: validate_all(tasks, on_result=log))
    for check in checks:
        if not check.ok:
            print(f"{check.instance_id}: NOT valid: {'; '.join(check.problems)[:200]}")
    good = sum(c.ok for c in checks)
    print(f"{good}/{len(checks)} valid in {time.monotonic() - start:.0f}s")
    return 0 if good == len(checks) else 1
