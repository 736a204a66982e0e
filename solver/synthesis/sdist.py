"""Source distributions: downloaded once into the cache, checked by hash, unpacked."""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

from solver.synthesis.recipes import cache_dir

DROPPED = (".gitattributes",)
"""Files of an sdist left out of its repo: git would rewrite line endings or exports by them."""


def sha256_file(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def fetch_sdist(package: str, version: str, cache: Path | None = None) -> Path:
    """The package's source distribution, downloaded once into the cache."""
    folder = (cache or cache_dir()) / "sdists"
    folder.mkdir(parents=True, exist_ok=True)
    found = _find_sdist(folder, package, version)
    if found is not None:
        return found
    done = subprocess.run(
        [sys.executable, "-m", "pip", "download", "-q", "--no-deps", "--no-binary", ":all:",
         f"{package}=={version}", "-d", str(folder)],
        capture_output=True, text=True, timeout=600,
    )
    found = _find_sdist(folder, package, version)
    if found is None:
        raise RuntimeError(f"pip download {package}=={version} failed: {done.stderr[-1500:]}")
    return found


def _find_sdist(folder: Path, package: str, version: str) -> Path | None:
    stems = {f"{name}-{version}" for name in
             (package, package.replace("-", "_"), package.replace("_", "-"))}
    for path in sorted(folder.glob("*.tar.gz")):
        if path.name.removesuffix(".tar.gz").lower() in {s.lower() for s in stems}:
            return path
    return None


def unpack_sdist(sdist: Path, dest: Path) -> Path:
    """The sdist's single top folder, extracted (data filter) as `dest`."""
    with tempfile.TemporaryDirectory(prefix="solver-sdist-") as tmp, tarfile.open(sdist) as tar:
        tar.extractall(tmp, filter="data")
        tops = list(Path(tmp).iterdir())
        if len(tops) != 1 or not tops[0].is_dir():
            raise RuntimeError(f"{sdist}: expected one top-level folder")
        for name in DROPPED:
            (tops[0] / name).unlink(missing_ok=True)
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.move(str(tops[0]), dest)
    return dest
