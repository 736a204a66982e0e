"""Recipes: how a package's own tests run. Detected from its tree (solver.synthesis.detect);
tasks/synth/packages.toml holds optional per-package overrides (and the versions the committed
sample pins)."""

from __future__ import annotations

import os
import tomllib
from pathlib import Path
from typing import Any

from pydantic import BaseModel

import tasks

SYNTH = Path(tasks.__file__).resolve().parent / "synth"
RECIPES = SYNTH / "packages.toml"


def cache_dir() -> Path:
    return Path(os.environ.get("SOLVER_CACHE", "~/.cache/tts-solver")).expanduser()


class Recipe(BaseModel):
    """How one package's tests run."""

    package: str
    version: str
    requirements: list[str] = []
    """Extra PyPI requirements of the environment (besides what `install_cmd` installs)."""
    install_cmd: str = ""
    """Run in the tree (as root, network) before the tests: `pip install -e '.[tests]'`."""
    install_reason: str = ""
    """One line: where `install_cmd` was read from."""
    test_cmd: str = "python -m pytest"
    test_paths: list[str] = []
    source_dirs: list[str] = []
    """Where bugs are injected: package folders or module files (tests never)."""


def load_overrides(path: Path = RECIPES) -> dict[str, dict[str, Any]]:
    """packages.toml: package → the fields that override the detected recipe."""
    if not path.is_file():
        return {}
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    return {name: dict(table) for name, table in data.items() if isinstance(table, dict)}


def split_spec(spec: str) -> tuple[str, str]:
    """`toolz==1.0.0` → (`toolz`, `1.0.0`); `toolz` → (`toolz`, '')."""
    name, _, version = spec.partition("==")
    return name.strip(), version.strip()
