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


def test_file_of(test_id: str) -> str | None:
    """The file a test id's test is written in; None for a doctest of a `.py` module
    (`pkg/mod.py::pkg.mod.func`, `pkg/__init__.py::pkg`): pytest's `--doctest-modules` names
    library code, which a fix must be free to edit. Ids without `::` name no file."""
    path, sep, item = test_id.partition("::")
    if not sep:
        return None
    name = item.partition("[")[0]
    library = path.endswith(".py") and not is_test_file(path)
    return None if library and _is_doctest_name(path, name) else path


def _is_doctest_name(path: str, name: str) -> bool:
    """A doctest item is named by dotted module path (plus qualname); a test function's or
    class's name is an identifier, and a class's tests add `::`."""
    if "::" in name:
        return False
    posix = PurePosixPath(path)
    module = posix.parent.name if posix.name == "__init__.py" else posix.stem
    return "." in name or name == module


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
