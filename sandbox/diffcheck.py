"""What a candidate patch may touch: checked on the host before it reaches a container.

A patch is rejected, with its reason, when it names a path outside the repository (`../`,
absolute), inside `.git/`, creates a symlink, or touches the tests or what decides how they run.
"""

from __future__ import annotations

import fnmatch
import re
from dataclasses import dataclass
from pathlib import PurePosixPath

_HEADER = re.compile(
    r"^(?:diff --git (?P<a>\S+) (?P<b>\S+)|--- (?P<old>\S+)|\+\+\+ (?P<new>\S+)"
    r"|(?:rename|copy) (?:from|to) (?P<moved>.+)"
    r"|(?:new file|new|old|deleted file) mode (?P<mode>\d+))"
)
SYMLINK_MODE = "120000"
GITLINK_MODE = "160000"

PROTECTED_PATTERNS = (
    "conftest.py", "pytest.ini", "tox.ini", "setup.cfg", "pyproject.toml", "noxfile.py",
    "sitecustomize.py", "usercustomize.py", "*.pth", "test_*.py", "*_test.py",
)
PROTECTED_DIRS = ("tests", "test", "testing")


class PatchRejected(ValueError):
    """A candidate patch that must not run; the message says why."""


@dataclass(frozen=True)
class PatchPaths:
    paths: tuple[str, ...]
    modes: tuple[str, ...]


def read_paths(diff: str) -> PatchPaths:
    """Every path and file mode named in the diff's headers (prefix a/ b/ stripped)."""
    paths: list[str] = []
    modes: list[str] = []
    for line in diff.splitlines():
        match = _HEADER.match(line)
        if not match:
            continue
        for key in ("a", "b", "old", "new", "moved"):
            value = match.group(key)
            if value and value != "/dev/null":
                paths.append(strip_prefix(value.strip().strip('"'), key))
        if match.group("mode"):
            modes.append(match.group("mode"))
    return PatchPaths(tuple(dict.fromkeys(paths)), tuple(modes))


def strip_prefix(path: str, key: str) -> str:
    if key != "moved" and path[:2] in ("a/", "b/"):
        return path[2:]
    return path


def path_problem(path: str) -> str:
    """Why a path may not be patched, or ''."""
    if "\\" in path or path.startswith(("/", "~")):
        return f"{path}: absolute or odd path"
    parts = PurePosixPath(path).parts
    if ".." in parts:
        return f"{path}: leaves the repository (..)"
    if ".git" in parts:
        return f"{path}: inside .git/"
    return ""


def is_protected(path: str, extra: frozenset[str]) -> bool:
    """Tests and the files that decide how tests run."""
    pure = PurePosixPath(path)
    if path in extra:
        return True
    if any(part in PROTECTED_DIRS for part in pure.parts[:-1]):
        return True
    return any(fnmatch.fnmatch(pure.name, pattern) for pattern in PROTECTED_PATTERNS)


def check_patch(diff: str, protected: frozenset[str] = frozenset()) -> None:
    """Raise PatchRejected naming the first offending path; return quietly otherwise."""
    if diff.strip() and not diff.lstrip().startswith(("diff --git", "--- ", "From ", "Index: ")):
        if "\n--- " not in diff and "\ndiff --git " not in diff:
            raise PatchRejected("not a unified diff")
    found = read_paths(diff)
    for mode in found.modes:
        if mode in (SYMLINK_MODE, GITLINK_MODE):
            raise PatchRejected(f"creates a symlink or submodule (mode {mode})")
    for path in found.paths:
        problem = path_problem(path)
        if problem:
            raise PatchRejected(problem)
        if is_protected(path, protected):
            raise PatchRejected(f"{path}: touches the tests or their configuration")
