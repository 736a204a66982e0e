"""The task's source files at its base commit, as generators and the behaviour probe read them."""

from __future__ import annotations

import tempfile
from pathlib import Path

from tasks.model import Task
from tasks.paths import is_test_file
from tasks.source import export_tree, resolve_source


def read_source_files(task: Task, repos_dir: Path | None = None) -> dict[str, str]:
    """The task's non-test Python files at its base commit, by repo-relative posix path."""
    with tempfile.TemporaryDirectory(prefix="solver-src-") as tmp:
        tree = export_tree(resolve_source(task, repos_dir), task.base_commit, Path(tmp) / "tree")
        return {
            path.relative_to(tree).as_posix(): path.read_text(encoding="utf-8")
            for path in sorted(tree.rglob("*.py"))
            if not is_test_file(path.relative_to(tree).as_posix())
        }
