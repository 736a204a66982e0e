"""Candidate pools for `solver select`: patches per instance from anyone's runs.

    predictions file (instance_id, model_name_or_path, model_patch) ─┐
    `solver eval` run directory: every plausible candidate of its     ├─► a Pool per instance
      trajectories (trajectories/<id>/candidates.jsonl), else its     │
      predictions.jsonl                                               │
    `solver bench search --trajectories` folder (<id>/<cell>.jsonl)  ─┘

A candidate keeps its source (the predictions' `model_name_or_path`, else the file's name) and
its place; empty patches are left out. `normalized` is the patch as Agentless compares them for
majority voting: per file, the lines it removes and adds, stripped, context and blank lines
ignored, so the same edit produced twice counts twice.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from solver.harness.grade import Prediction, load_predictions
from tasks.diffs import file_sections

PREDICTIONS = "predictions.jsonl"


class PoolError(ValueError):
    """A candidates file or run directory that cannot be read."""


@dataclass(frozen=True)
class Sourced:
    """One candidate patch for one instance."""

    instance_id: str
    source: str
    patch: str
    place: int
    """Order of the --candidates option it came from (0: the first)."""

    @property
    def key(self) -> str:
        return normalized(self.patch)


@dataclass
class Pool:
    instance_id: str
    candidates: list[Sourced] = field(default_factory=list)

    def distinct(self) -> list[Sourced]:
        """The first candidate of each normalized patch, in pool order."""
        seen: dict[str, Sourced] = {}
        for candidate in self.candidates:
            seen.setdefault(candidate.key, candidate)
        return list(seen.values())

    def votes(self) -> Counter[str]:
        return Counter(c.key for c in self.candidates)


def normalized(patch: str) -> str:
    """The edit without its context: per file (sorted), the removed and added lines stripped."""
    parts = []
    for path, section in sorted(file_sections(patch)):
        changed = [line[0] + line[1:].strip() for line in section.splitlines()
                   if line[:1] in "+-" and not line.startswith(("+++", "---"))
                   and line[1:].strip()]
        parts.append(path + "\n" + "\n".join(changed))
    return "\n".join(parts)


def source_file(path: Path) -> Path:
    """The predictions file of `path`: itself, or a run directory's predictions.jsonl."""
    if path.is_dir():
        inside = path / PREDICTIONS
        if not inside.is_file():
            raise PoolError(f"{path}: a directory without {PREDICTIONS} (not a solver eval run)")
        return inside
    if not path.is_file():
        raise PoolError(f"{path}: no such file or directory")
    return path


def plausible_candidates(run_dir: Path, pattern: str) -> tuple[list[Prediction], list[str]]:
    """Every plausible candidate recorded under `run_dir` (files matching `pattern`, one folder
    per instance), as predictions named after the run."""
    found, problems = [], []
    for path in sorted(run_dir.glob(pattern)):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            try:
                record = json.loads(line)
                plausible = bool(record["verdict"]["plausible"])
                diff = str(record["diff"])
            except (ValueError, KeyError, TypeError) as exc:
                problems.append(f"{path}:{number}: {type(exc).__name__}: {exc}")
                continue
            if plausible:
                found.append(Prediction(instance_id=path.parent.name,
                                        model_name_or_path=run_dir.name, model_patch=diff))
    return found, problems


def read_source(path: Path) -> tuple[list[Prediction], list[str]]:
    if path.is_dir() and (path / "trajectories").is_dir():
        return plausible_candidates(path, "trajectories/*/candidates.jsonl")
    if path.is_dir() and not (path / PREDICTIONS).exists() and any(path.glob("*/*.jsonl")):
        return plausible_candidates(path, "*/*.jsonl")  # `solver bench search --trajectories`
    return load_predictions(source_file(path))


def load_pools(paths: Sequence[Path]) -> tuple[dict[str, Pool], list[str]]:
    """Pools per instance from every source, in the order given; the second item lists
    unreadable lines (the rest still loads)."""
    pools: dict[str, Pool] = {}
    problems: list[str] = []
    for place, path in enumerate(paths):
        predictions, errors = read_source(path)
        problems += errors
        fallback = path.name if path.is_dir() else path.stem
        for prediction in predictions:
            patch = prediction.model_patch or ""
            if not patch.strip():
                continue
            pool = pools.setdefault(prediction.instance_id, Pool(prediction.instance_id))
            pool.candidates.append(Sourced(
                prediction.instance_id, prediction.model_name_or_path or fallback, patch, place))
    return pools, problems


def majority(pool: Pool) -> Sourced | None:
    """Majority vote over normalized patches; a tie goes to the earlier candidate."""
    if not pool.candidates:
        return None
    votes = pool.votes()
    best = max(votes.values())
    return next(c for c in pool.candidates if votes[c.key] == best)
