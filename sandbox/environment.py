"""From a task to what the sandbox needs: its session image and how its tests run.

    Task ─► source tree at base_commit (tasks.source) ─► env image (deps) ─► session image
       └──► RunSpec (test command, protected test files, test_patch)
"""

from __future__ import annotations

import shlex
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import docker

from sandbox.images import ensure_base_image, ensure_env_image, ensure_session_image
from sandbox.session import RunSpec
from tasks.model import Task
from tasks.source import export_tree, resolve_source

Log = Callable[[str], None]


@dataclass(frozen=True)
class TaskEnvironment:
    image: str
    spec: RunSpec


def test_files_of(task: Task) -> frozenset[str]:
    """The task's own test files: named in its test ids, or listed explicitly."""
    ids = [*task.fail_to_pass, *task.pass_to_pass, *task.hidden_tests]
    return frozenset({*task.test_files, *(t.split("::")[0] for t in ids if "::" in t)})


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
    """Build (or find in the cache) every image layer of the task."""
    base = ensure_base_image(client, python, log=log)
    env = ensure_env_image(client, base, task.requirements, task.install_cmd, log=log)
    with tempfile.TemporaryDirectory(prefix="solver-tree-") as tmp:
        tree = export_tree(resolve_source(task, repos_dir), task.base_commit, Path(tmp) / "tree")
        image = ensure_session_image(client, env, tree)
    return TaskEnvironment(image=image, spec=run_spec_for(task))
