"""The candidates `solver bench verify` hands every path: one coverage run on the base tree
(localization, failures and their durations, the per-test coverage map), then the search
generator's first round."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import docker

    from sandbox import SandboxConfig
    from sandbox.environment import TaskEnvironment
    from solver.deciding import DecisionPlan
    from solver.types import Candidate
    from tasks.model import Task


@dataclass(frozen=True)
class Made:
    candidates: list[Candidate]
    plan: DecisionPlan


async def candidates_for(
    client: docker.DockerClient, task: Task, env: TaskEnvironment, config: SandboxConfig,
    width: int, repos_dir: Any,
) -> Made:
    import anyio

    from sandbox import Session
    from solver.analysis.failures import failures_of
    from solver.analysis.localization import REPO_ROOT, rank
    from solver.analysis.sources import read_source_files
    from solver.deciding import DecisionPlan
    from solver.feedback import Feedback
    from solver.generators.search.generator import SearchGenerator
    from solver.harness.bench_search import read_spectrum

    image = await anyio.to_thread.run_sync(env.coverage_image, client)

    def cover() -> Any:
        with Session(client, image, config, env.spec) as session:
            return session.collect_coverage([*task.fail_to_pass, *task.pass_to_pass])

    coverage = await anyio.to_thread.run_sync(cover)
    verdict = coverage.verdict
    spectrum = read_spectrum(coverage.data, verdict, REPO_ROOT)
    files = await anyio.to_thread.run_sync(read_source_files, task, repos_dir)
    generator = SearchGenerator(files, rank(coverage.data, verdict, 50),
                                baseline=failures_of(verdict, task.fail_to_pass),
                                spectrum=spectrum)
    candidates = await generator.propose(task, 0, width, Feedback())
    return Made(candidates, DecisionPlan.of(task, verdict, spectrum))
