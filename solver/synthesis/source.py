"""Where a package's tree comes from: a PyPI sdist (`PKG`, `PKG==VER`), a git URL or a local
checkout, made a git repo whose one commit, tagged `pristine`, is that tree (solver.synthesis.repo).

Only PyPI sources carry a hash a manifest can pin; the others are for trying a project out.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from solver.synthesis.recipes import cache_dir, split_spec
from solver.synthesis.repo import init_repo, prepare_repo
from solver.synthesis.sdist import fetch_sdist, sha256_file

GIT_URL = re.compile(r"^(git\+|https?://|git@|ssh://|file://).*|.*\.git$")
SKIPPED = {".git", ".venv", "venv", ".tox", ".nox", "__pycache__", "build", "dist",
           ".mypy_cache", ".pytest_cache", ".ruff_cache"}


@dataclass(frozen=True)
class Source:
    package: str
    version: str
    repo: Path
    """The git repo (tag `pristine`)."""
    origin: str
    """`pypi`, `git` or `local`."""
    sha256: str = ""
    """The sdist's, for PyPI sources."""
    sdist: str = ""


def is_local(spec: str) -> bool:
    """A folder named as a path (`./proj`, `/src/proj`, `~/proj`, `.`), not a bare name."""
    looks_like_path = "/" in spec or spec.startswith((".", "~"))
    return looks_like_path and not GIT_URL.match(spec) and Path(spec).expanduser().is_dir()


def prepare_source(spec: str, repos: Path, pinned: str = "", cache: Path | None = None) -> Source:
    """The repo of `spec` under `repos/` (reused when it is there); `pinned` is the version a
    bare `PKG` takes (packages.toml), else PyPI's newest sdist."""
    if is_local(spec):
        return _local(Path(spec).expanduser().resolve(), repos)
    if GIT_URL.match(spec):
        return _git(spec, repos)
    name, version = split_spec(spec)
    version = version or pinned or latest_version(name, cache)
    repo = prepare_repo(name, version, repos / f"{name}-{version}", cache)
    sdist = fetch_sdist(name, version, cache)
    return Source(name, version, repo, "pypi", sha256_file(sdist), sdist.name)


def latest_version(package: str, cache: Path | None = None) -> str:
    """PyPI's newest sdist of `package` for this interpreter (pip download, kept in the cache)."""
    folder = (cache or cache_dir()) / "sdists"
    folder.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="solver-pip-") as tmp:
        done = subprocess.run(
            [sys.executable, "-m", "pip", "download", "-q", "--no-deps", "--no-binary", ":all:",
             package, "-d", tmp], capture_output=True, text=True, timeout=600)
        files = [p for p in Path(tmp).iterdir() if p.name.endswith(".tar.gz")]
        if not files:
            lines = done.stderr.strip().splitlines() or ["no .tar.gz sdist"]
            last = next((x for x in reversed(lines) if "ERROR" in x or "error:" in x), lines[-1])
            raise RuntimeError(f"pip download {package}: {last}")
        stem = files[0].name.removesuffix(".tar.gz")
        target = folder / files[0].name
        if not target.exists():
            shutil.move(str(files[0]), target)
    return stem.rpartition("-")[2]


def _local(path: Path, repos: Path) -> Source:
    dest = repos / f"{path.name}-local"
    if dest.exists():
        shutil.rmtree(dest)
    shutil.copytree(path, dest, ignore=lambda _d, names: [n for n in names if n in SKIPPED
                                                          or n.endswith(".egg-info")])
    init_repo(dest)
    return Source(path.name, "local", dest, "local")


def _git(url: str, repos: Path) -> Source:
    name = url.rstrip("/").rsplit("/", 1)[-1].removesuffix(".git")
    clone = url.removeprefix("git+")
    dest = repos / f"{name}-git"
    if dest.exists():
        shutil.rmtree(dest)
    done = subprocess.run(["git", "clone", "-q", "--depth", "1", clone, str(dest)],
                          capture_output=True, text=True, timeout=600)
    if done.returncode != 0:
        raise RuntimeError(f"git clone {clone}: {done.stderr.strip()[-300:]}")
    sha = subprocess.run(["git", "rev-parse", "--short=12", "HEAD"], cwd=dest,
                         capture_output=True, text=True).stdout.strip()
    shutil.rmtree(dest / ".git")
    init_repo(dest)
    return Source(name, sha or "git", dest, "git")
