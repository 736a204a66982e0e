"""SWE-bench environments as images: a build-tools layer per Python, one env image per recipe
(repository, version: the spec's requirements and pins) shared by its instances, one installed
layer per instance (the tree at base_commit, `pip install -e .`).

    python:<X>-slim ─► solver-build (gcc, headers; only for COMPILED_REPOS such as astropy)
        ─► solver-env (venv, requirements, the spec's pins) ─► solver-session (per instance)
"""

from __future__ import annotations

import re
import shlex
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import docker
import git

from sandbox.images import (
    digest,
    ensure_base_image,
    ensure_env_image,
    ensure_installed_session_image,
    image_exists,
    image_id,
    install_script,
    installed_session_tag,
    run_build_step,
)
from sandbox.naming import repository
from tasks.model import Task
from tasks.source import RepoSource, export_tree, open_repo

Log = Callable[[str], None]
ENV_TOOLS = ("pip>=24", "setuptools>=65,<71", "wheel")
"""Upgraded in every SWE-bench env: Debian's venv pip predates PEP 660 editable installs.
setuptools stays below 71, which imports an installed `packaging` in place of its own: the
repositories' requirement files pin packaging versions it cannot run with (flask 2.0's
`packaging==20.9`: `canonicalize_version() got an unexpected keyword argument`)."""
BUILD_TOOLS_SCRIPT = """set -eu
export DEBIAN_FRONTEND=noninteractive
pkgs="gcc g++ make libc6-dev"
# Debian's python3 (the offline base) needs its headers; python:X-slim has them in /usr/local.
if [ ! -x /usr/local/bin/python3 ]; then pkgs="$pkgs python3-dev"; fi
apt-get update -qq
apt-get install -y -qq --no-install-recommends $pkgs >/dev/null
rm -rf /var/lib/apt/lists/*"""
"""What SWE-bench's base image has and python:X-slim lacks: a C compiler and Python's headers,
for the repositories that build extensions (astropy). Only their envs start from it: the others'
cached images stay valid."""


@dataclass(frozen=True)
class Recipe:
    """One instance's environment, resolved from its spec (pure data, hashed into image tags)."""

    python: str
    requirements: tuple[str, ...]
    pip_packages: tuple[str, ...]
    pre_install: tuple[str, ...]
    install: str
    test_cmd: tuple[str, ...]
    notes: tuple[str, ...] = ()
    compiler: bool = False
    """The install builds C extensions (astropy): the env starts from the build-tools layer."""


def ensure_build_image(client: docker.DockerClient, base: str, log: Log) -> str:
    """`base` with a C compiler and Python's headers (built once per base, shared by every env)."""
    tag = f"{repository('solver-build')}:" + digest(
        image_id(client, base), BUILD_TOOLS_SCRIPT)[:20]
    if not image_exists(client, tag):
        run_build_step(client, base, BUILD_TOOLS_SCRIPT, tag, [])
        log(f"built {tag} (compiler, headers) on {base}")
    return tag


def ensure_recipe_env(client: docker.DockerClient, recipe: Recipe, log: Log) -> str:
    """base → build tools (where the install compiles) → venv with the requirements, then the
    spec's pins (installed after, as the harness does, so they win)."""
    base = ensure_base_image(client, recipe.python, log=log)
    if recipe.compiler:
        base = ensure_build_image(client, base, log)
    pins = " ".join(shlex.quote(p) for p in recipe.pip_packages)
    return ensure_env_image(client, base, recipe.requirements,
                            f"/opt/venv/bin/pip install --no-cache-dir -q {pins}" if pins else "",
                            log=log, tools=env_tools(recipe.requirements))


def env_tools(requirements: tuple[str, ...]) -> tuple[str, ...]:
    """ENV_TOOLS, less a tool the requirements pin themselves (astropy 1.3: setuptools==38.2.4)."""
    pinned = {re.split(r"[<>=!~\[ ;]", r, maxsplit=1)[0].lower() for r in requirements}
    return tuple(t for t in ENV_TOOLS if re.split(r"[<>=]", t, maxsplit=1)[0] not in pinned)


def ensure_task_session(
    client: docker.DockerClient, task: Task, source: RepoSource, recipe: Recipe, env: str,
    log: Log,
) -> str:
    """The tree at base_commit installed on `env`; a commit names its tree, so a cached image is
    found without exporting the tree again."""
    version = {"SETUPTOOLS_SCM_PRETEND_VERSION":
               scm_version(source, task.base_commit, task.version)}
    sha = commit_sha(source, task.base_commit)
    tree_key = f"{task.repo}@{sha}" if sha else ""
    if tree_key:
        tag = installed_session_tag(
            client, env, tree_key, install_script(recipe.install, recipe.pre_install, version))
        if image_exists(client, tag):
            return tag
    with tempfile.TemporaryDirectory(prefix="solver-tree-") as tmp:
        tree = export_tree(source, task.base_commit, Path(tmp) / "tree")
        return ensure_installed_session_image(client, env, tree, recipe.install,
                                              recipe.pre_install, version, log, tree_key)


def commit_sha(source: RepoSource, commit: str) -> str:
    """The full sha of `commit` in a git source; '' for a plain folder (then nothing is cached
    by commit)."""
    if source.kind != "git":
        return ""
    with open_repo(source.location) as repo:
        try:
            return str(repo.git.rev_parse("--verify", f"{commit or 'HEAD'}^{{commit}}"))
        except git.GitCommandError:
            return ""  # export_tree reports the missing commit


def scm_version(source: RepoSource, commit: str, version: str) -> str:
    """What setuptools_scm would call `commit` (`git describe`), for a tree without .git."""
    fallback = f"{version}.0" if version.count(".") == 1 else version or "0.0.0"
    if source.kind != "git":
        return fallback
    with open_repo(source.location) as repo:
        try:
            described = str(repo.git.describe("--tags", "--long", commit))
        except git.GitCommandError:
            return fallback
    return scm_from_describe(described) or fallback


def scm_from_describe(described: str) -> str:
    """`4.4.2-6-g4ccaa98` → `4.4.3.dev6+g4ccaa98`; `5.4.1-0-gabc` → `5.4.1` (setuptools_scm)."""
    match = re.fullmatch(r"v?(\d+(?:\.\d+)*)-(\d+)-g([0-9a-f]+)", described)
    if not match:
        return ""
    tag, distance, sha = match.group(1), int(match.group(2)), match.group(3)
    if distance == 0:
        return tag
    parts = tag.split(".")
    parts[-1] = str(int(parts[-1]) + 1)
    return f"{'.'.join(parts)}.dev{distance}+g{sha}"
