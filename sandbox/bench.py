"""`solver bench sandbox`: what warm reuse and parallelism buy, measured on a real repository.

The same 24 candidate patches of a small library with 50 tests are verified
(a) through warm containers (reset between candidates), (b) the naive way: one fresh container per
candidate (create, copy the repo in, apply, run, remove); then 8 candidates in parallel against the
same 8 serially. Overhead = a verification's wall time beyond the test runner's own time.
"""

from __future__ import annotations

import difflib
import statistics
import time
from collections.abc import Callable
from importlib import resources
from pathlib import Path

import anyio
import docker

from sandbox.config import SandboxConfig
from sandbox.container import RunOptions, hardening, remove_container
from sandbox.images import (
    ensure_base_image,
    ensure_env_image,
    ensure_session_image,
    runtime_tar,
    tree_tar,
)
from sandbox.pool import Diff, SandboxPool
from sandbox.session import RunSpec, Session

TARGET = "shapes/ops.py"
REPEATS = 3
"""Serial and parallel batches are each timed this often; the median counts (noisy hosts)."""
Log = Callable[[str], None]

def bench_repo() -> Path:
    return Path(str(resources.files("sandbox") / "bench_repo"))

def candidate_diffs(repo: Path, count: int) -> list[str]:
    """`count` distinct one-line edits of the library (some break tests, some do not)."""
    source = (repo / TARGET).read_text()
    lines = source.splitlines(keepends=True)
    edits: list[str] = []
    for index, line in enumerate(lines):
        for old, new in (("*", "+"), ("<", "<="), ("2", "3"), ("max", "min"), ("0", "1"),
                         ("raise", "return"), (" + ", " - "), ("pi", "e")):
            if old in line and len(edits) < count:
                changed = [*lines[:index], line.replace(old, new, 1), *lines[index + 1:]]
                edits.append(unified(source, "".join(changed)))
    while len(edits) < count:
        edits.append(unified(source, source + f"\n# variant {len(edits)}\n"))
    return edits

def unified(before: str, after: str) -> str:
    body = difflib.unified_diff(before.splitlines(keepends=True), after.splitlines(keepends=True),
                                f"a/{TARGET}", f"b/{TARGET}")
    return f"diff --git a/{TARGET} b/{TARGET}\n" + "".join(body)

def verify_naive(client: docker.DockerClient, env_image: str, repo: Path, diff: str,
                 config: SandboxConfig) -> tuple[float, float]:
    """One fresh hardened container for one candidate; returns (wall, runner) seconds."""
    start = time.monotonic()
    options: RunOptions = {**hardening(config), "read_only": False, "auto_remove": False}
    container = client.containers.create(env_image, ["sleep", "600"], **options)
    try:
        container.put_archive("/opt", tree_tar(repo, "pristine"))
        container.put_archive("/opt", runtime_tar())
        container.start()
        cold = config.model_copy(update={"warm_process": False})  # a fresh interpreter each
        runner = Session(client, env_image, cold, RunSpec(), container).verify(diff).runner_s
    finally:
        remove_container(container)
    return time.monotonic() - start, runner

async def timed_pool_run(pool: SandboxPool, diffs: list[str]) -> tuple[float, list[float]]:
    start = time.monotonic()
    verdicts = await pool.verify([Diff(d, str(i)) for i, d in enumerate(diffs)])
    return time.monotonic() - start, [v.duration_s - v.runner_s for v in verdicts]

async def run_bench(log: Log, count: int = 24, parallel: int = 8) -> dict[str, float]:
    client = docker.from_env()
    repo = bench_repo()
    env_image = ensure_env_image(client, ensure_base_image(client, log=log), log=log)
    image = ensure_session_image(client, env_image, repo)
    diffs = candidate_diffs(repo, count)
    serial_config = SandboxConfig(capacity=1)
    async with SandboxPool(image, config=serial_config, client=client) as pool:
        await pool.warm(1)
        warm_overheads: list[float] = []
        warm_walls: list[float] = []
        for index, diff in enumerate(diffs):
            verdict = await pool.verify_with(Diff(diff, str(index)))
            warm_overheads.append(verdict.duration_s - verdict.runner_s)
            warm_walls.append(verdict.duration_s)
        log(f"warm: {count} verifications, median wall {statistics.median(warm_walls):.3f}s")
        serial_s = statistics.median(
            [(await timed_pool_run(pool, diffs[:parallel]))[0] for _ in range(REPEATS)])
    naive = [verify_naive(client, env_image, repo, d, serial_config) for d in diffs]
    log(f"naive: median wall {statistics.median(w for w, _ in naive):.3f}s")
    cores = SandboxConfig().capacity
    async with SandboxPool(image, config=SandboxConfig(capacity=cores), client=client) as pool:
        await pool.warm(cores)
        parallel_s = statistics.median(
            [(await timed_pool_run(pool, diffs[:parallel]))[0] for _ in range(REPEATS)])
    warm_median = statistics.median(warm_overheads)
    naive_median = statistics.median(w - r for w, r in naive)
    return {
        "candidates": count,
        "tests": 50,
        "overhead_median_s": round(warm_median, 4),
        "naive_overhead_median_s": round(naive_median, 4),
        "naive_ratio": round(naive_median / warm_median, 2),
        "wall_median_s": round(statistics.median(warm_walls), 4),
        "naive_wall_median_s": round(statistics.median(w for w, _ in naive), 4),
        "naive_wall_ratio": round(statistics.median(w for w, _ in naive)
                                  / statistics.median(warm_walls), 2),
        "parallel_candidates": parallel,
        "parallel_workers": cores,
        "serial_s": round(serial_s, 3),
        "parallel_s": round(parallel_s, 3),
        "parallel_speedup": round(serial_s / parallel_s, 2),
    }

def main(log: Log) -> dict[str, float]:
    return anyio.run(run_bench, log)
