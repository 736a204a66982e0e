"""Tasks synthesized from one project's own test suite (SWE-smith's procedural mode).

    spec (PKG, PKG==VER, git URL, checkout) ─► a git repo, `pristine` (solver.synthesis.source)
    ─► recipe detected from the tree, packages.toml overrides (solver.synthesis.detect)
    ─► env image (+ the project's install: dependencies once, then the tree linked)
    ─► baseline: the suite once, under coverage (passing tests, lines each one covers)
    ─► mutants (solver.synthesis.mutate) ─► SandboxPool, warm containers of that one image:
       the covering tests fail-fast (caught?), then the full covering set (validated: the
       FAIL_TO_PASS it breaks, nothing left unrun); then two-location bugs from pairs of those
    ─► one branch per kept bug in the repo ─► <out>/<package>.jsonl (solver.synthesis.write)

A task's `path` is the package's repo and `base_commit` its bug's commit, so `solver tasks
validate <out>/<package>.jsonl` works as for any task. A project whose tests cannot run here
raises `NotRunnable` with one line saying why.
"""

from __future__ import annotations

import re
import shlex
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import anyio
import docker

from sandbox import (
    Outcome,
    RunSpec,
    SandboxConfig,
    SandboxError,
    SandboxPool,
    Session,
    docker_client,
    ensure_base_image,
    ensure_env_image,
    ensure_session_image,
)
from sandbox.environment import dependency_files
from sandbox.images import ensure_deps_image, ensure_installed_session_image
from solver.analysis.spectrum import spectrum_from_coverage
from solver.synthesis.detect import NotRunnable, detect_recipe
from solver.synthesis.judge import LOOPS, Kept, judge_mutant, two_location_candidates
from solver.synthesis.mutate import Mutant, mutants_of
from solver.synthesis.recipes import Recipe, split_spec
from solver.synthesis.source import Source, prepare_source
from solver.synthesis.write import write_tasks

Log = Callable[[str], None]
REPO_ROOT = "/testbed"
MUTANTS_PER_TASK = 6
"""Mutants tried per wanted task (most bugs are caught by no test or by too many)."""
TWO_LOCATION_SHARE = 8
"""One task in this many is a two-location bug (where pairs exist)."""
NO_MODULE = re.compile(r"No module named '([\w.]+)'")
PYPI_NAMES = {"yaml": "pyyaml", "bs4": "beautifulsoup4", "dateutil": "python-dateutil",
              "PIL": "pillow", "attr": "attrs", "jwt": "pyjwt", "Crypto": "pycryptodome",
              "dns": "dnspython", "lxml": "lxml", "markdown_it": "markdown-it-py"}
"""Import names whose PyPI name differs; any other name is taken as its own."""
BASELINE_S = 600.0
"""Longest the suite may run under coverage (a slower one would make every mutant slow)."""
RETRIES = 2
"""Rounds of adding the test modules the baseline could not import."""


@dataclass
class Baseline:
    passing: list[str]
    covering: dict[tuple[str, int], set[str]]
    """(file, line) → the passing tests that run it."""
    seconds: float
    by_file: dict[str, set[str]] = field(default_factory=dict)
    """file → the passing tests that run any of its lines."""

    def tests_for(self, mutant: Mutant) -> list[str]:
        """The tests that run the mutated lines; for module-level code (run at import, under
        no test) every test that runs the file."""
        if mutant.family == "module-level" or mutant.function == "<module>":
            return sorted(self.by_file.get(mutant.file, set()))
        found: set[str] = set()
        for first, last in mutant.spans:
            for line in range(first, last + 1):
                found |= self.covering.get((mutant.file, line), set())
        return sorted(found)


@dataclass
class SynthReport:
    package: str
    version: str = ""
    spec: str = ""
    status: str = "done"
    """`done` or `skipped` (with `reason`)."""
    reason: str = ""
    install_cmd: str = ""
    sha256: str = ""
    produced: int = 0
    """Mutants that compile."""
    covered: int = 0
    """Of those, mutants some passing test runs."""
    tried: int = 0
    """Mutants run in the sandbox (two-location pairs included)."""
    caught: int = 0
    """Of those, mutants some covering test fails on (the fail-fast run)."""
    kept: int = 0
    """Validated: the full covering set ran, FAIL_TO_PASS known; written as tasks."""
    baseline_passed: int = 0
    seconds: float = 0.0
    out_file: str = ""
    kinds: dict[str, int] = field(default_factory=dict)


def synth_config() -> SandboxConfig:
    """Short deadlines: a test that loops fails alone after 10 s."""
    return SandboxConfig(run_timeout_s=180.0, test_timeout_s=10.0, host_grace_s=20.0, capacity=2)


def run_baseline(
    client: docker.DockerClient, image: str, spec: RunSpec, recipe: Recipe
) -> Baseline:
    """The whole suite once, under coverage with one context per test."""
    start = time.monotonic()
    config = SandboxConfig(run_timeout_s=BASELINE_S, test_timeout_s=120.0)
    with Session(client, image, config, spec) as session:
        result = session.collect_coverage(recipe.test_paths)
    if result.verdict.timed_out:
        raise NotRunnable(f"the suite under coverage ran over {BASELINE_S:.0f} s")
    passing = sorted(t for t, r in result.verdict.tests.items() if r.outcome == Outcome.PASSED)
    if not passing or result.data is None:
        tail = result.verdict.reason or last_line(result.verdict.log_tail)
        missing = sorted(set(NO_MODULE.findall(result.verdict.log_tail)))
        raise NotRunnable(f"the baseline run passed no test: {tail}", missing)
    with tempfile.TemporaryDirectory(prefix="solver-cov-") as tmp:
        data_file = Path(tmp) / "coverage"
        data_file.write_bytes(result.data)
        spectrum = spectrum_from_coverage(data_file, dict.fromkeys(passing, True), REPO_ROOT)
    covering: dict[tuple[str, int], set[str]] = {}
    by_file: dict[str, set[str]] = {}
    for test, lines in spectrum.covered.items():
        for line in lines:
            covering.setdefault(line, set()).add(test)
            by_file.setdefault(line[0], set()).add(test)
    return Baseline(passing, covering, time.monotonic() - start, by_file)


def with_missing_modules(recipe: Recipe, modules: list[str]) -> Recipe | None:
    """The recipe with the test modules the baseline could not import as requirements (their
    PyPI names), or None when there is nothing new to add."""
    names = [PYPI_NAMES.get(m.split(".")[0], m.split(".")[0]) for m in modules]
    new = [n for n in dict.fromkeys(names) if n not in recipe.requirements]
    if not new:
        return None
    return recipe.model_copy(update={"requirements": [*recipe.requirements, *new]})


def last_line(text: str) -> str:
    lines = [line.strip() for line in text.strip().splitlines() if line.strip()]
    errors = [line for line in lines if "Error" in line or "error:" in line]
    return ((errors or lines or ["(no output)"])[-1])[:300]


def build_image(client: docker.DockerClient, recipe: Recipe, repo: Path, log: Log) -> str:
    """The session image: the env, the project's dependencies installed once, the tree."""
    base = ensure_base_image(client, log=log)
    env = ensure_env_image(client, base, recipe.requirements, log=log)
    if not recipe.install_cmd:
        return ensure_session_image(client, env, repo)
    try:
        deps = ensure_deps_image(client, env, repo, recipe.install_cmd,
                                 dependency_files(repo, recipe.install_cmd), log)
        return ensure_installed_session_image(client, deps, repo, recipe.install_cmd, log=log)
    except SandboxError as exc:
        raise NotRunnable(f"`{recipe.install_cmd}` failed: {last_line(str(exc))}") from exc


async def synthesize_spec(
    spec: str, out: Path, max_tasks: int, seed: int, overrides: dict[str, dict[str, Any]],
    config: SandboxConfig | None = None, log: Log = lambda _: None,
) -> SynthReport:
    """One project: a report, `status` skipped with the reason where its tests cannot run."""
    start = time.monotonic()
    name, _ = split_spec(spec)
    report = SynthReport(package=name, spec=spec)
    try:
        pinned = str(overrides.get(name, {}).get("version", ""))
        source = await anyio.to_thread.run_sync(prepare_source, spec, out / "repos", pinned)
        report.package, report.version, report.sha256 = (source.package, source.version,
                                                         source.sha256)
        recipe = detect_recipe(source.repo, source.package, source.version,
                               overrides.get(source.package))
        report.install_cmd = recipe.install_cmd
        log(f"{source.package}=={source.version}: install `{recipe.install_cmd or 'nothing'}` "
            f"({recipe.install_reason}); tests {recipe.test_paths}; library "
            f"{recipe.source_dirs}")
        await synthesize(recipe, source, out, report, max_tasks, seed, config, log)
    except (NotRunnable, RuntimeError, SandboxError, OSError, ValueError) as exc:
        report.status, report.reason = "skipped", last_line(str(exc)) or type(exc).__name__
    report.seconds = round(time.monotonic() - start, 1)
    return report


async def synthesize(
    recipe: Recipe, source: Source, out: Path, report: SynthReport, max_tasks: int = 30,
    seed: int = 0, config: SandboxConfig | None = None, log: Log = lambda _: None,
) -> None:
    """Up to `max_tasks` validated tasks of one project, in <out>/<package>.jsonl."""
    client = docker_client()
    try:
        spec = RunSpec(test_cmd=tuple(shlex.split(recipe.test_cmd)))
        image, baseline, recipe = await prepare_baseline(client, recipe, source, spec, log)
        report.baseline_passed = len(baseline.passing)
        log(f"{recipe.package}: baseline {len(baseline.passing)} passing tests "
            f"in {baseline.seconds:.0f}s")
        mutants = mutants_of(source.repo, recipe.source_dirs, seed,
                             limit=max_tasks * MUTANTS_PER_TASK)
        report.produced = len(mutants)
        runnable = [(m, baseline.tests_for(m)) for m in mutants]
        runnable = [(m, tests) for m, tests in runnable if tests]
        report.covered = len(runnable)
        async with SandboxPool(image, spec, config or synth_config(), client) as pool:
            singles = max_tasks - max_tasks // TWO_LOCATION_SHARE
            kept = await verify_all(pool, runnable, singles, report, log)
            singles_kept = [k.mutant for k in kept if k.kind != LOOPS]  # a pair must not hang
            pairs = [(m, baseline.tests_for(m))
                     for m in two_location_candidates(singles_kept, seed)]
            kept += await verify_all(pool, pairs, max_tasks - len(kept), report, log)
    finally:
        client.close()
    report.out_file = str(write_tasks(recipe, source.repo, out, kept, baseline.passing, seed))
    report.kept = len(kept)
    for item in kept:
        report.kinds[item.kind] = report.kinds.get(item.kind, 0) + 1


async def prepare_baseline(
    client: docker.DockerClient, recipe: Recipe, source: Source, spec: RunSpec, log: Log,
) -> tuple[str, Baseline, Recipe]:
    """The session image and the baseline; a test module the suite cannot import is added
    to the requirements and the image rebuilt (RETRIES times at most)."""
    for attempt in range(RETRIES + 1):
        image = await anyio.to_thread.run_sync(build_image, client, recipe, source.repo, log)
        try:
            baseline = await anyio.to_thread.run_sync(run_baseline, client, image, spec, recipe)
        except NotRunnable as exc:
            better = with_missing_modules(recipe, exc.missing)
            if better is None or attempt == RETRIES:
                raise
            log(f"{recipe.package}: tests import {', '.join(exc.missing)}: adding "
                f"{', '.join(better.requirements[len(recipe.requirements):])}")
            recipe = better
            continue
        return image, baseline, recipe
    raise AssertionError("unreachable")


async def verify_all(
    pool: SandboxPool, runnable: list[tuple[Mutant, list[str]]], wanted: int,
    report: SynthReport, log: Log,
) -> list[Kept]:
    """Mutants in order, a batch at a time over the pool, until `wanted` are kept."""
    found: dict[int, Kept] = {}
    batch_size = max(4, 2 * pool.config.capacity)
    for offset in range(0, len(runnable), batch_size):
        if len(found) >= wanted:
            break
        batch = runnable[offset:offset + batch_size]

        async def one(index: int, mutant: Mutant, tests: list[str]) -> None:
            caught, kept = await judge_mutant(pool, mutant, tests)
            report.caught += caught
            if kept is not None:
                found[index] = kept

        async with anyio.create_task_group() as tg:
            for index, (mutant, tests) in enumerate(batch, start=offset):
                tg.start_soon(one, index, mutant, tests)
        report.tried += len(batch)
        log(f"{report.package}: {report.tried} tried, {report.caught} caught, "
            f"{len(found)} validated")
    return [found[i] for i in sorted(found)][:wanted]
