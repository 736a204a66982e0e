"""The task's source files at its base commit, as generators and the behaviour probe read them."""

from __future__ import annotations

import tempfile
from pathlib import Path, PurePosixPath

from tasks.model import Task
from tasks.paths import is_test_file
from tasks.source import export_tree, resolve_source


def read_source_files(task: Task, repos_dir: Path | None = None) -> dict[str, str]:
    """The task's non-test Python files at its base commit, by repo-relative posix path."""
    return read_python_files(task, repos_dir, tests=False)


def read_test_files(task: Task, repos_dir: Path | None = None) -> dict[str, str]:
    """The repository's own test files at the task's base commit (`test_*.py`, `*_test.py`)."""
    return {path: text for path, text in read_python_files(task, repos_dir, tests=True).items()
            if PurePosixPath(path).name.startswith("test_") or path.endswith("_test.py")}


def read_python_files(task: Task, repos_dir: Path | None, tests: bool) -> dict[str, str]:
    """The tree's Python files that are tests (`tests`) or are not, readable as UTF-8."""
    with tempfile.TemporaryDirectory(prefix="solver-src-") as tmp:
        tree = export_tree(resolve_source(task, repos_dir), task.base_commit, Path(tmp) / "tree")
        found = {}
        for path in sorted(tree.rglob("*.py")):
            relative = path.relative_to(tree).as_posix()
            if is_test_file(relative) == tests:
                found[relative] = path.read_text(encoding="utf-8", errors="replace")
        return found
