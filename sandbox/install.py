"""What a developer would run to install a checkout for its tests, read from its files.

    pyproject.toml / setup.py / setup.cfg ─► pip install -e .[test]   (the test extra, if any)
                   [dependency-groups] test ─► pip install 'dep' ...  (the group, expanded)
    requirements*.txt, requirements/*.txt ─► pip install -r FILE ...  (constraints with -c)
    tox.ini [testenv] deps                ─► pip install 'dep' ...    (a hint, when nothing
                                                                       else names test deps)

The project itself is installed last: pinned requirement files often hold a released copy of
the project (a docs file pins Sphinx, which pins Jinja2, in Jinja2's own checkout), which would
otherwise replace the editable install and leave the tests importing site-packages.

Pure functions of the folder: `sandbox.images` caches the result per hash of `files`.
"""

from __future__ import annotations

import configparser
import re
import shlex
import tomllib
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from packaging.requirements import InvalidRequirement, Requirement

PROJECT_FILES = ("pyproject.toml", "setup.py", "setup.cfg")
TEST_NAMES = ("test", "tests", "testing", "dev")
"""Extras / dependency groups that hold test dependencies, most specific first."""
REQUIREMENT_GLOBS = ("requirements*.txt", "*requirements.txt", "requirements/*.txt",
                     "requirements*.in")
CONSTRAINT_GLOBS = ("constraints*.txt",)
NOT_FOR_TESTS = re.compile(r"doc|lint|typ|mypy|release|publish|build|bench", re.I)
"""Requirement files for other jobs (docs, linters, releases) are left out."""
RUNNERS = {"pytest", "pytest-cov", "coverage"}
"""Already in every env (sandbox.images.SANDBOX_TOOLS); pins of them from tox are dropped."""


@dataclass(frozen=True)
class InstallPlan:
    """One shell command (run in a copy of the checkout, the env's venv first on PATH)."""

    command: str
    reason: str
    """One line: what was found, for the user."""
    files: tuple[str, ...] = ()
    """Repo-relative files the command depends on: their bytes key the env image's cache."""


def detect_install(tree: Path) -> InstallPlan:
    """The install a developer would run for `tree`'s tests; command '' when nothing to do."""
    steps: list[str] = []
    found: list[str] = []
    files = [name for name in PROJECT_FILES if (tree / name).is_file()]
    test_deps_named = False
    project_step = ""
    if installable(tree):
        extra = test_extra(tree)
        group = dependency_group(tree)
        target = f".[{extra}]" if extra else "."
        project_step = f"pip install -e {shlex.quote(target)}"
        found.append(f"{'/'.join(files)}" + (f" (extra [{extra}])" if extra else ""))
        if group:
            steps.append("pip install " + " ".join(shlex.quote(r) for r in group[1]))
            found.append(f"dependency group {group[0]}")
        test_deps_named = bool(extra or group)
    constraints = matching(tree, CONSTRAINT_GLOBS)
    requirements = for_tests(
        [r for r in matching(tree, REQUIREMENT_GLOBS) if wanted(tree, r, constraints)])
    if requirements:
        flags = [f"-c {shlex.quote(c)}" for c in constraints]
        flags += [f"-r {shlex.quote(r)}" for r in requirements]
        steps.append("pip install " + " ".join(flags))
        found.append(", ".join(requirements) + (f" with {', '.join(constraints)}"
                                                 if constraints else ""))
        files += [*constraints, *requirements]
        test_deps_named = test_deps_named or any("test" in r or "dev" in r for r in requirements)
    tox = tox_deps(tree)
    if tox and not test_deps_named:
        steps.append("pip install " + " ".join(shlex.quote(d) for d in tox))
        found.append("tox.ini test deps")
        files.append("tox.ini")
    if project_step:
        steps.append(project_step)
    if not steps:
        return InstallPlan("", "no installable project (setup.py, or pyproject.toml with "
                               "[project]) and no requirements file: pytest only")
    return InstallPlan(" && ".join(steps), "from " + "; ".join(found), tuple(files))


def installable(tree: Path) -> bool:
    """pip can install the folder: a setup.py, or a pyproject.toml that declares a project or
    a build system (one holding only tool settings, such as pytest's, does not)."""
    pyproject = read_pyproject(tree)
    return (tree / "setup.py").is_file() or "project" in pyproject or "build-system" in pyproject


def dependency_file_names(tree: Path) -> list[str]:
    """Every file that may declare dependencies, whether detection uses it or not."""
    present = [n for n in (*PROJECT_FILES, "tox.ini") if (tree / n).is_file()]
    return [*present, *matching(tree, (*REQUIREMENT_GLOBS, *CONSTRAINT_GLOBS))]


def wanted(tree: Path, name: str, constraints: list[str]) -> bool:
    """A requirements file for the tests: not constraints, not docs or lint, and not the `.in`
    source of a compiled `.txt` next to it."""
    if name in constraints or NOT_FOR_TESTS.search(name):
        return False
    return not (name.endswith(".in") and (tree / name).with_suffix(".txt").exists())


def for_tests(files: list[str]) -> list[str]:
    """Where files name tests (`requirements/tests.txt`), those alone and not the variants for
    one Python (`tests37.txt`): a dev file pins tools that may clash with them. Plain
    `requirements.txt` (runtime) stays."""
    testish = [f for f in files if "test" in PurePosixPath(f).name]
    general = [f for f in testish if not re.search(r"\d", PurePosixPath(f).stem)]
    if not testish:
        return files
    runtime = [f for f in files if PurePosixPath(f).name == "requirements.txt"]
    return [*runtime, *(general or testish)]


def matching(tree: Path, globs: tuple[str, ...]) -> list[str]:
    seen: dict[str, None] = {}
    for pattern in globs:
        for path in sorted(tree.glob(pattern)):
            if path.is_file():
                seen[path.relative_to(tree).as_posix()] = None
    return list(seen)


def read_pyproject(tree: Path) -> dict[str, object]:
    try:
        return tomllib.loads((tree / "pyproject.toml").read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError, UnicodeDecodeError):
        return {}


def test_extra(tree: Path) -> str:
    """The name of the extra that installs test dependencies, or ''."""
    project = read_pyproject(tree).get("project")
    extras: set[str] = set()
    if isinstance(project, dict) and isinstance(project.get("optional-dependencies"), dict):
        extras |= set(project["optional-dependencies"])
    extras |= setup_cfg_extras(tree) | setup_py_extras(tree)
    return next((name for name in TEST_NAMES if name in extras), "")


def setup_cfg_extras(tree: Path) -> set[str]:
    parser = configparser.ConfigParser(interpolation=None)
    try:
        parser.read(tree / "setup.cfg", encoding="utf-8")
    except (configparser.Error, UnicodeDecodeError):
        return set()
    return set(parser["options.extras_require"]) if parser.has_section(
        "options.extras_require") else set()


def setup_py_extras(tree: Path) -> set[str]:
    """Keys of a literal `extras_require={...}` in setup.py (a hint: setup.py is code)."""
    try:
        text = (tree / "setup.py").read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return set()
    block = re.search(r"extras_require\s*=\s*(\{.*?\n\s*\})", text, re.S)
    return set(re.findall(r"['\"]([\w.-]+)['\"]\s*:", block.group(1))) if block else set()


def dependency_group(tree: Path) -> tuple[str, list[str]] | None:
    """(name, requirements) of the PEP 735 group for tests, includes expanded; pip < 25.1 has
    no `--group`, so the requirements are installed by name."""
    groups = read_pyproject(tree).get("dependency-groups")
    if not isinstance(groups, dict):
        return None
    name = next((n for n in TEST_NAMES if n in groups), None)
    if name is None:
        return None
    return name, expand_group(groups, name, set())


def expand_group(groups: dict[str, object], name: str, seen: set[str]) -> list[str]:
    if name in seen:
        return []
    seen.add(name)
    out: list[str] = []
    entries = groups.get(name)
    for entry in entries if isinstance(entries, list) else []:
        if isinstance(entry, str) and is_requirement(entry):
            out.append(entry)
        elif isinstance(entry, dict) and isinstance(entry.get("include-group"), str):
            out += expand_group(groups, entry["include-group"], seen)
    return out


def is_requirement(text: str) -> bool:
    """PEP 508 as pip reads it (some projects keep tox-style `factor: dep` lines in groups)."""
    try:
        Requirement(text)
    except InvalidRequirement:
        return False
    return True


def tox_deps(tree: Path) -> list[str]:
    """`[testenv] deps` of tox.ini that pip can read as they are (no tox substitutions)."""
    parser = configparser.ConfigParser(interpolation=None)
    try:
        parser.read(tree / "tox.ini", encoding="utf-8")
    except (configparser.Error, UnicodeDecodeError):
        return []
    if not parser.has_option("testenv", "deps"):
        return []
    deps = []
    for line in parser.get("testenv", "deps").splitlines():
        dep = line.split("#")[0].strip().replace("{toxinidir}/", "")
        name = re.split(r"[\s<>=!~\[;]", dep, maxsplit=1)[0].lower()
        if dep and "{" not in dep and not dep.startswith("-") and name not in RUNNERS \
                and is_requirement(dep):
            deps.append(dep)
    return deps
