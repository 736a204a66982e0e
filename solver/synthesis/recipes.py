"""Per-package recipes (tasks/synth/packages.toml): how a package's own tests run."""

from __future__ import annotations

import os
import tomllib
from pathlib import Path

from pydantic import BaseModel

import tasks

SYNTH = Path(tasks.__file__).resolve().parent / "synth"
RECIPES = SYNTH / "packages.toml"


def cache_dir() -> Path:
    return Path(os.environ.get("SOLVER_CACHE", "~/.cache/tts-solver")).expanduser()


class Recipe(BaseModel):
    """How one package's tests run (a table of tasks/synth/packages.toml)."""

    package: str
    version: str
    requirements: list[str] = []
    test_cmd: str = "python -m pytest"
    test_paths: list[str] = []
    source_dirs: list[str]


def load_recipes(path: Path = RECIPES) -> dict[str, Recipe]:
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    return {name: Recipe(package=name, **table) for name, table in data.items()}


def recipe_for(spec: str, recipes: dict[str, Recipe] | None = None) -> Recipe:
    """`toolz` or `toolz==1.0.0`: the recipe, at the version asked for."""
    name, _, version = spec.partition("==")
    recipes = recipes if recipes is not None else load_recipes()
    if name not in recipes:
        known = ", ".join(sorted(recipes))
        raise ValueError(f"no recipe for {name!r} in {RECIPES} (known: {known})")
    recipe = recipes[name]
    return recipe.model_copy(update={"version": version}) if version else recipe
