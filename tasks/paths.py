"""Repo-relative paths, and which files are tests."""

from __future__ import annotations

from pathlib import PurePosixPath

_TEST_DIRS = frozenset({"tests", "test", "testing"})
_THIRD_PARTY = ("site-packages", "dist-packages")


def is_test_file(path: str) -> bool:
    """`tests/…`, `test_*.py`, `*_test.py` and `conftest.py` are tests."""
    posix = PurePosixPath(path)
    name = posix.name
    return (
        any(part in _TEST_DIRS for part in posix.parts[:-1])
        or (name.startswith("test_") and name.endswith(".py"))
        or name.endswith("_test.py")
        or name == "conftest.py"
    )


def repo_relative(path: str, repo_root: str) -> str | None:
    """`path` relative to `repo_root` (posix), or None when it lies outside the repository."""
    if path.startswith("<") or any(part in path for part in _THIRD_PARTY):
        return None
    posix = PurePosixPath(path.replace("\\", "/"))
    if posix.is_absolute():
        try:
            posix = posix.relative_to(PurePosixPath(repo_root))
        except ValueError:
            return None
    if not posix.parts or posix.parts[0] == "..":
        return None
    return posix.as_posix()


def project_file(path: str, repo_root: str) -> str | None:
    """The repo-relative path of a non-test project file, or None."""
    relative = repo_relative(path, repo_root)
    return None if relative is None or is_test_file(relative) else relative
