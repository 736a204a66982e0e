"""SWE-bench instances: environments built the way the SWE-bench harness specifies them.

    Task (repo, version) ─► spec: MAP_REPO_VERSION_TO_SPECS of swebench 4.x, read as data
       ├─ base     python:<spec python>-slim  (3.9 stands in for 3.6-3.8)
       ├─ env      venv + the repo's requirements file at environment_setup_commit (from the
       │           mirror) + the spec's pip_packages                   (images.ensure_env_image)
       ├─ session  tree at /testbed, pre_install, install (`pip install -e .`) → /opt/pristine
       │           (images.ensure_installed_session_image)
       └─ RunSpec  the spec's pytest command + node ids, the test_patch, the task's network

The specs are read from the installed `swebench` package's `harness/constants/python.py` (or the
file named by SOLVER_SWEBENCH_SPECS) without importing the package, whose `__init__` pulls in
heavy dependencies: the `swebench` extra (`pip install -e '.[swebench]'`) brings it, and so would
`pip install --no-deps 'swebench>=4,<5'`.
"""

from __future__ import annotations

import ast
import importlib.util
import os
import re
import shlex
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from functools import cache
from pathlib import Path
from types import ModuleType
from typing import Any

import docker
import git

from sandbox.images import SUITES
from sandbox.network import INTERNAL_NETWORK
from sandbox.session import RunSpec
from sandbox.swebench_build import Recipe, ensure_recipe_env, ensure_task_session
from tasks.diffs import file_sections
from tasks.model import Task, test_files_of
from tasks.source import RepoSource, absent_blobs, open_repo, resolve_source

Log = Callable[[str], None]
TEST_FUNCTION = re.compile(r"^\s*def (test\w*)\s*\(", re.MULTILINE)
SPECS_ENV = "SOLVER_SWEBENCH_SPECS"
FALLBACK_PYTHON = "3.9"
"""The oldest Python an offline base provides; it stands in for the specs' 3.6-3.10 (their
pins, of that era, have wheels for 3.9 more often than for 3.11: xarray 0.12's numpy 1.23.0)."""
REQS_EXCLUDED = ("-e .", "#", ".[test")
"""Requirement lines the harness drops (get_requirements_by_commit)."""
ENSURE_PYTEST = "python -c 'import pytest' 2>/dev/null || python -m pip install -q pytest"
"""Our runner is pytest; most installs bring it (dev extras, requirements, pytest itself)."""
PYTEST_FOR_BIN_TEST = ("python", "-m", "pytest", "-rA")
"""In place of sympy's `bin/test`, whose log names a test by its function alone (`test_foo`):
such ids are mapped to node ids of the test patch's files (`node_ids`)."""
PYTEST_FOR_TOX = ("python", "-X", "dev", "-m", "pytest", "-rA")
"""In place of `tox --current-env -epy39 -v --` (sphinx): the command its tox env runs."""
LATER_RELEASES = {"sphinx-doc/sphinx": ("docutils<0.22",), "pylint-dev/pylint": ("pip<25.3",)}
"""Caps on packages the specs leave unpinned, at what PyPI had when SWE-bench built its images:
docutils 0.22 (2025) dropped `docutils.utils.roman`, which sphinx 3.x imports; pip 25.3 dropped
the `setup.py develop` fallback of editable installs, which pylint 2.15 needs (its pyproject's
build backend, setuptools~=62.6, has no PEP 660 hook)."""
COMPILED_REPOS = frozenset({"astropy/astropy"})
"""Repos whose install builds C extensions: their envs get a compiler (swebench_build)."""
NETWORK_REPOS = frozenset({"psf/requests"})
"""Repos whose tests need a network stack (a private address that must time out)."""


class SpecError(ValueError):
    """No usable SWE-bench specification for a task; the message says what is missing."""


@dataclass(frozen=True)
class SpecTables:
    """What the harness knows per repo: specs per version, and where requirement files live."""

    specs: Mapping[str, Mapping[str, Mapping[str, Any]]]
    reqs_paths: Mapping[str, Sequence[str]]
    replace_packages: Sequence[tuple[str, str | None]] = ()


def specs_file() -> Path:
    """swebench's constants module for Python repos: SOLVER_SWEBENCH_SPECS, else the package."""
    named = os.environ.get(SPECS_ENV)
    if named:
        return Path(named)
    found = importlib.util.find_spec("swebench")  # finds the package without running it
    if found is None or not found.submodule_search_locations:
        raise SpecError("the SWE-bench specs need the swebench package: "
                        "pip install 'tts-solver[swebench]' (or set SOLVER_SWEBENCH_SPECS)")
    return Path(next(iter(found.submodule_search_locations))) / "harness/constants/python.py"


def _run_module(path: Path) -> ModuleType:
    """Execute one stdlib-only module file on its own (not as part of its package)."""
    spec = importlib.util.spec_from_file_location("_swebench_specs", path)
    if spec is None or spec.loader is None or not path.is_file():
        raise SpecError(f"{path}: not a readable SWE-bench constants module")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _literal(path: Path, name: str) -> Any:
    """The literal value assigned to `name` at the top of a module file, without running it."""
    if not path.is_file():
        return None
    for node in ast.parse(path.read_text()).body:
        if isinstance(node, ast.Assign) and any(
                isinstance(t, ast.Name) and t.id == name for t in node.targets):
            return ast.literal_eval(node.value)
    return None


@cache
def load_tables(path: Path | None = None) -> SpecTables:
    path = path or specs_file()
    module = _run_module(path)
    specs = getattr(module, "MAP_REPO_VERSION_TO_SPECS_PY", None) or getattr(
        module, "MAP_REPO_VERSION_TO_SPECS", None)
    if not isinstance(specs, dict):
        raise SpecError(f"{path}: no MAP_REPO_VERSION_TO_SPECS(_PY) in it")
    # test_spec/python.py imports requests etc.; its replacement list is read as a literal.
    replace = _literal(path.parent.parent / "test_spec" / "python.py", "REPLACE_REQ_PACKAGES")
    return SpecTables(specs=specs, reqs_paths=getattr(module, "MAP_REPO_TO_REQS_PATHS", {}),
                      replace_packages=[tuple(p) for p in replace or ()])


def spec_for(task: Task, tables: SpecTables) -> Mapping[str, Any]:
    versions = tables.specs.get(task.repo)
    if versions is None:
        raise SpecError(f"{task.instance_id}: SWE-bench has no specs for repo {task.repo}")
    spec = versions.get(task.version)
    if spec is None:
        raise SpecError(f"{task.instance_id}: no spec for {task.repo} version {task.version!r}; "
                        f"known: {', '.join(sorted(versions))}")
    return spec


def base_python(wanted: str) -> tuple[str, str]:
    """The Python an offline base can give for `wanted`, and a note where it differs."""
    if wanted in SUITES:
        return wanted, ""
    major, _, minor = wanted.partition(".")
    if major == "3" and minor.isdigit() and 6 <= int(minor) <= 10:
        return FALLBACK_PYTHON, f"spec wants Python {wanted}; using {FALLBACK_PYTHON}"
    raise SpecError(f"spec wants Python {wanted}; offline bases exist for {', '.join(SUITES)}")


def clean_requirements(text: str, replace: Sequence[tuple[str, str | None]]) -> list[str]:
    """Requirement lines as the harness installs them (yanked packages replaced or dropped),
    inline comments cut (`astroid==2.12.13  # Pinned ...`: pip reads them only in a file)."""
    for old, new in replace:
        pattern = rf"^{re.escape(old)}([<>=!~]=?.*|$)"
        text = re.sub(pattern + (r"\n?" if new is None else ""), new or "", text,
                      flags=re.MULTILINE)
    lines = (re.sub(r"\s+#.*$", "", line).strip() for line in text.splitlines())
    return [line for line in lines if line and not line.startswith(REQS_EXCLUDED)]


def recipe_for(task: Task, spec: Mapping[str, Any], requirements_text: str = "",
               replace: Sequence[tuple[str, str | None]] = ()) -> Recipe:
    """The environment of one instance. `requirements_text`: the repo's requirements file(s) at
    environment_setup_commit, where the spec says `packages: requirements.txt`."""
    python, note = base_python(str(spec.get("python", FALLBACK_PYTHON)))
    packages = spec.get("packages", "")
    if packages == "environment.yml" and not spec.get("no_use_env"):
        raise SpecError(f"{task.instance_id}: the spec builds a conda environment.yml; "
                        "only pip environments are supported")
    if packages == "environment.yml":  # no_use_env: the harness's `conda env update` goes to
        packages = ""  # conda's base env, not the task's: the task gets the pip packages only
    requirements = clean_requirements(requirements_text, replace) if packages == (
        "requirements.txt") else str(packages).split()
    test_cmd = tuple(shlex.split(str(spec.get("test_cmd", "pytest -rA"))))
    if "bin/test" in test_cmd:  # sympy's own runner: its tests are plain functions pytest runs
        test_cmd = PYTEST_FOR_BIN_TEST
        note = "; ".join(filter(None, [note, "sympy's bin/test runs as pytest"]))
    elif test_cmd[:1] == ("tox",):  # sphinx: its tox env runs `python -X dev -m pytest -rA`
        test_cmd = PYTEST_FOR_TOX
        note = "; ".join(filter(None, [note, "tox's test env runs as pytest in the task's venv"]))
    if not any("pytest" in part for part in test_cmd):
        raise SpecError(f"{task.instance_id}: test command {' '.join(test_cmd)!r} is not pytest")
    caps = LATER_RELEASES.get(task.repo or "", ())
    if caps:
        note = "; ".join(filter(None, [note, f"{', '.join(caps)} (released since SWE-bench)"]))
    return Recipe(
        python=python, requirements=tuple(requirements),
        pip_packages=(*tuple(spec.get("pip_packages") or ()), *caps),
        pre_install=tuple(spec.get("pre_install") or ()),
        install="\n".join(filter(None, [str(spec.get("install", "")), ENSURE_PYTEST])),
        test_cmd=test_cmd, notes=(note,) if note else (),
        compiler=task.repo in COMPILED_REPOS,
    )


def read_requirements(source: RepoSource, commit: str, paths: Sequence[str]) -> str:
    """The first of `paths` that exists at `commit`, with `-r other.txt` lines inlined."""
    with open_repo(source.location) as repo:
        def show(path: str) -> str | None:
            try:
                return str(repo.git.show(f"{commit}:{path}"))
            except git.GitCommandError:
                return None

        for path in paths:
            text = show(path)
            if text is not None:
                break
        else:
            raise SpecError(f"{source.describe()}: none of {', '.join(paths)} at {commit}")
        folder = path.rpartition("/")[0]
        nested, own = [], []
        for line in text.splitlines():
            if line.strip().startswith("-r"):
                name = line.strip()[2:].strip()
                nested.append(show(f"{folder}/{name}" if folder else name) or "")
            else:
                own.append(line)
    return "\n".join([*nested, "\n".join(own)])


def network_for(task: Task) -> str:
    """`none`, or the internal network for tasks whose tests need a network stack."""
    return INTERNAL_NETWORK if task.repo in NETWORK_REPOS else "none"


def run_spec(task: Task, recipe: Recipe, node_ids: Mapping[str, str] | None = None) -> RunSpec:
    return RunSpec(test_cmd=recipe.test_cmd, protected=test_files_of(task),
                   extra_patch=task.test_patch, swebench_ids=True, node_ids=dict(node_ids or {}))


def bare_names(task: Task) -> bool:
    """The instance's tests are named by their function alone (sympy's bin/test log)."""
    return any(t and "::" not in t and not t.endswith(".py")
               for t in [*task.fail_to_pass, *task.pass_to_pass])


def node_ids_of(source: RepoSource, task: Task) -> dict[str, str]:
    """`test_foo` → `path/test_x.py::test_foo` for the test functions of the files the test
    patch touches (as the base commit has them, plus those the patch adds); the first file
    naming a function wins."""
    found: dict[str, str] = {}
    with open_repo(source.location) as repo:
        for path, section in file_sections(task.test_patch):
            try:
                text = str(repo.git.show(f"{task.base_commit}:{path}"))
            except git.GitCommandError:
                text = ""  # a new file: its functions are all in the patch
            added = "\n".join(line[1:] for line in section.splitlines() if line.startswith("+"))
            for name in TEST_FUNCTION.findall(text + "\n" + added):
                found.setdefault(name, f"{path}::{name}")
    return found


def absent_files(source: RepoSource, commit: str) -> list[str]:
    """Files of `commit` whose content the mirror lacks (exported without them)."""
    if source.kind != "git":
        return []
    with open_repo(source.location) as repo:
        try:
            return sorted(absent_blobs(repo, commit))
        except git.GitCommandError:
            return []  # export_tree reports the missing commit


def is_swebench(task: Task) -> bool:
    """A published instance: a GitHub repo and a version, no local path or commands."""
    return bool(task.repo and task.version and task.path is None and not task.install_cmd)


def prepare_swebench(
    client: docker.DockerClient, task: Task, repos_dir: Path | None, log: Log = lambda _: None,
    tables: SpecTables | None = None, timings: dict[str, float] | None = None,
) -> tuple[str, RunSpec, Recipe]:
    """Build (or find in the cache) the instance's images; its session image and RunSpec.
    `timings` gets the seconds to the env image (`env_s`) and to the installed tree
    (`install_s`)."""
    timings = {} if timings is None else timings
    tables = tables or load_tables()
    spec = spec_for(task, tables)
    source = resolve_source(task, repos_dir)
    reqs = ""
    if spec.get("packages") == "requirements.txt":
        commit = task.environment_setup_commit or task.base_commit
        reqs = read_requirements(source, commit, tables.reqs_paths.get(task.repo, ()))
    recipe = recipe_for(task, spec, reqs, tables.replace_packages)
    absent = absent_files(source, task.base_commit)
    if absent:
        recipe = replace(recipe, notes=(*recipe.notes, "absent from the mirror, left out of "
                                        f"the tree: {', '.join(absent)}"))
    for note in recipe.notes:
        log(f"{task.instance_id}: {note}")
    start = time.monotonic()
    env = ensure_recipe_env(client, recipe, log)
    timings["env_s"] = round(time.monotonic() - start, 2)
    image = ensure_task_session(client, task, source, recipe, env, log)
    timings["install_s"] = round(time.monotonic() - start - timings["env_s"], 2)
    node_ids = node_ids_of(source, task) if bare_names(task) and source.kind == "git" else {}
    return image, run_spec(task, recipe, node_ids), recipe
