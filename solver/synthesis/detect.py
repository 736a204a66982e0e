"""A package's recipe read from its tree: how it installs, where its tests are, what is library.

    install      sandbox.install.detect_install (what `solver ci` runs: pyproject / setup.py
                 with the test extra or dependency group, requirements files, tox deps)
    test_paths   pytest's own `testpaths`, else tests/ test/ testing/ (top, src/, in packages),
                 else top-level test_*.py modules
    source_dirs  top-level and src/ packages (an __init__.py) and top-level modules, tests,
                 docs, examples and packaging scripts left out
    test_cmd     `python -m pytest` (src/ on the path where nothing installs the project)

Then tasks/synth/packages.toml's table for the package, where there is one, overrides field by
field. Pure: reads files, never writes. `NotRunnable` carries the one-line reason to skip.
"""

from __future__ import annotations

import configparser
from pathlib import Path
from typing import Any

from sandbox.install import detect_install, read_pyproject
from solver.synthesis.recipes import Recipe
from tasks.paths import is_test_file

TEST_DIRS = ("tests", "test", "testing")
NOT_LIBRARY_DIRS = frozenset({
    "docs", "doc", "examples", "example", "benchmarks", "bench", "scripts", "tools", "build",
    "dist", "site-packages", "tasks", "ci", "bin", *TEST_DIRS,
})
NOT_LIBRARY_MODULES = frozenset({
    "setup.py", "conftest.py", "noxfile.py", "fabfile.py", "tasks.py", "runtests.py",
    "run_tests.py", "_version.py", "version.py", "conf.py", "bootstrap.py", "ez_setup.py",
})


class NotRunnable(Exception):  # noqa: N818 (a verdict on the project, not a fault of ours)
    """The project's tests cannot run here; the message is the one line saying why."""

    def __init__(self, message: str, missing: list[str] | None = None) -> None:
        super().__init__(message)
        self.missing = missing or []
        """Modules the tests could not import (a requirement detection missed)."""


def detect_recipe(tree: Path, package: str, version: str,
                  override: dict[str, Any] | None = None) -> Recipe:
    """The recipe of the project at `tree`, `override` (a packages.toml table) applied."""
    override = dict(override or {})
    override.pop("version", None)
    plan = detect_install(tree)
    install = override.get("install_cmd", plan.command)
    fields: dict[str, Any] = {
        "package": package, "version": version, "install_cmd": install,
        "install_reason": plan.reason if "install_cmd" not in override else "packages.toml",
        "test_paths": test_paths(tree), "source_dirs": source_dirs(tree),
        "test_cmd": test_command(tree, installs=bool(install)),
    }
    fields.update(override)
    recipe = Recipe(**fields)
    if not recipe.test_paths:
        raise NotRunnable("no tests found (no tests/ or test/ folder, no test_*.py, no "
                          "pytest testpaths)")
    if not recipe.source_dirs:
        raise NotRunnable("no library code found (no package folder or top-level module)")
    return recipe


def test_command(tree: Path, installs: bool) -> str:
    src_layout = (tree / "src").is_dir() and not installs
    return "python -m pytest" + (" -o pythonpath=src" if src_layout else "")


def test_paths(tree: Path) -> list[str]:
    configured = [p for p in configured_testpaths(tree) if (tree / p).exists()]
    if configured:
        return configured
    found = [d for d in candidate_test_dirs(tree) if has_tests(tree / d)]
    if found:
        return found
    return sorted(p.name for p in tree.glob("*.py") if is_test_file(p.name)
                  and p.name != "conftest.py")


def configured_testpaths(tree: Path) -> list[str]:
    """`testpaths` from pytest.ini, pyproject.toml, tox.ini or setup.cfg (pytest's order)."""
    for name, section in (("pytest.ini", "pytest"), ("pyproject.toml", ""),
                          ("tox.ini", "pytest"), ("setup.cfg", "tool:pytest")):
        if not (tree / name).is_file():
            continue
        value = _pyproject_testpaths(tree) if not section else _ini_testpaths(tree / name,
                                                                              section)
        if value:
            return value
    return []


def _pyproject_testpaths(tree: Path) -> list[str]:
    tool = read_pyproject(tree).get("tool")
    pytest = tool.get("pytest") if isinstance(tool, dict) else None
    options = pytest.get("ini_options") if isinstance(pytest, dict) else None
    paths = options.get("testpaths") if isinstance(options, dict) else None
    if isinstance(paths, str):
        return paths.split()
    return [str(p) for p in paths] if isinstance(paths, list) else []


def _ini_testpaths(path: Path, section: str) -> list[str]:
    parser = configparser.ConfigParser(interpolation=None)
    try:
        parser.read(path, encoding="utf-8")
    except (configparser.Error, UnicodeDecodeError):
        return []
    if not parser.has_option(section, "testpaths"):
        return []
    return parser.get(section, "testpaths").split()


def candidate_test_dirs(tree: Path) -> list[str]:
    names = [*TEST_DIRS, *(f"src/{n}" for n in TEST_DIRS)]
    for package in source_dirs(tree):
        names += [f"{package}/{n}" for n in TEST_DIRS]
    return [n for n in names if (tree / n).is_dir()]


def has_tests(folder: Path) -> bool:
    return any(p.name.startswith("test_") or p.name.endswith("_test.py")
               for p in folder.rglob("*.py"))


def source_dirs(tree: Path) -> list[str]:
    """Library packages and modules, repo-relative: `pkg`, `src/pkg`, `module.py`."""
    found: list[str] = []
    for parent in (tree, tree / "src"):
        if not parent.is_dir():
            continue
        for child in sorted(parent.iterdir()):
            relative = child.relative_to(tree).as_posix()
            if child.is_dir() and _is_library_package(child):
                found.append(relative)
            elif child.suffix == ".py" and _is_library_module(child):
                found.append(relative)
    return found


def _is_library_package(folder: Path) -> bool:
    name = folder.name
    return ((folder / "__init__.py").is_file() and name not in NOT_LIBRARY_DIRS
            and not name.startswith((".", "_")) and not is_test_file(f"{name}/x.py"))


def _is_library_module(path: Path) -> bool:
    return (path.name not in NOT_LIBRARY_MODULES and not is_test_file(path.name)
            and not path.name.startswith("."))
