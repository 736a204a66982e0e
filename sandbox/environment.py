"""From a task to what the sandbox needs: its session image and how its tests run.

    Task ─► source tree at base_commit (tasks.source) ─► env image (deps) ─► session image
       └──► RunSpec (test command, protected test files, test_patch)

SWE-bench instances go to sandbox.swebench_env (the harness's specs, an installed repo).
"""

from __future__ import annotations

import shlex
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import docker

from sandbox.config import SandboxConfig
from sandbox.image_cache import keep_within_budget, record_use
from sandbox.images import (
    ensure_base_image,
    ensure_coverage_image,
    ensure_deps_image,
    ensure_env_image,
    ensure_installed_session_image,
    ensure_session_image,
)
from sandbox.install import dependency_file_names
from sandbox.network import network_mode
from sandbox.services import ensure_httpbin
from sandbox.session import RunSpec
from sandbox.swebench_env import is_swebench, network_for, prepare_swebench
from tasks.model import Task, test_files_of
from tasks.source import export_tree, resolve_source

Log = Callable[[str], None]


@dataclass(frozen=True)
class TaskEnvironment:
    image: str
    spec: RunSpec
    network: str = "none"
    """`none`, or the internal network the task's tests need (sandbox.network)."""
    own_env: bool = False
    """The env is the task's own (SWE-bench's pins), without the sandbox's coverage tools."""
    deviations: tuple[str, ...] = ()
    """Where the environment differs from the one the task was recorded in (a SWE-bench spec's
    Python version, its runner), one line each."""
    timings: dict[str, float] = field(default_factory=dict)
    """Seconds to the env image (`env_s`, found or built) and to the installed tree
    (`install_s`)."""

    def sandbox_config(self, config: SandboxConfig) -> SandboxConfig:
        """`config` with this task's network."""
        return config.model_copy(update={"network": self.network})

    def coverage_image(self, client: docker.DockerClient, log: Log = lambda _: None) -> str:
        """The image localization runs per-test coverage in (built once where needed)."""
        return ensure_coverage_image(client, self.image, log) if self.own_env else self.image


def run_spec_for(task: Task) -> RunSpec:
    return RunSpec(
        test_cmd=tuple(shlex.split(task.test_cmd)),
        protected=test_files_of(task),
        extra_patch=task.test_patch,
    )


def prepare(
    client: docker.DockerClient, task: Task, repos_dir: Path | None = None,
    python: str = "3.11", log: Log = lambda _: None,
) -> TaskEnvironment:
    """Build (or find in the cache) every image layer of the task; their use is recorded, and
    the cache kept within its disk budget, least recently used first (sandbox.image_cache)."""
    env = _prepare(client, task, repos_dir, python, log)
    record_use(client, env.image)
    keep_within_budget(client, frozenset({env.image}), log)
    return env


def _prepare(
    client: docker.DockerClient, task: Task, repos_dir: Path | None, python: str, log: Log,
) -> TaskEnvironment:
    timings: dict[str, float] = {}
    if is_swebench(task):
        image, spec, recipe = prepare_swebench(client, task, repos_dir, log=log, timings=timings)
        network = network_mode(client, network_for(task))
        if network != "none":  # requests' tests call httpbin.org: a local stand-in answers
            ensure_httpbin(client, network)
        return TaskEnvironment(image=image, spec=spec, network=network, own_env=True,
                               deviations=recipe.notes, timings=timings)
    start = time.monotonic()
    base = ensure_base_image(client, python, log=log)
    env = ensure_env_image(client, base, task.requirements, log=log)
    timings["env_s"] = round(time.monotonic() - start, 2)
    with tempfile.TemporaryDirectory(prefix="solver-tree-") as tmp:
        tree = export_tree(resolve_source(task, repos_dir), task.base_commit, Path(tmp) / "tree")
        if task.install_cmd:
            files = dependency_files(tree, task.install_cmd)
            env = ensure_deps_image(client, env, tree, task.install_cmd, files, log)
            image = ensure_installed_session_image(client, env, tree, task.install_cmd, log=log)
        else:
            image = ensure_session_image(client, env, tree)
    timings["install_s"] = round(time.monotonic() - start - timings["env_s"], 2)
    return TaskEnvironment(image=image, spec=run_spec_for(task), timings=timings)


def dependency_files(tree: Path, install_cmd: str) -> list[str]:
    """Files an install command may read: the project files, every requirements, constraints
    and tox file, and any file the command names."""
    try:
        words = shlex.split(install_cmd)
    except ValueError:
        words = []
    named = [w for w in words if not w.startswith("/") and ".." not in w and (tree / w).is_file()]
    return sorted({*dependency_file_names(tree), *named})
