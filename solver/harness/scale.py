"""`solver scale`: the width × depth surface from ONE run at the largest cell.

Each smaller cell (w, d) is read off the big run's trajectories: the candidates of the first d
rounds whose place in their round is below w (as CodeMonkeys subsamples its trajectories), with
the same tournament over their plausible ones. So the whole grid costs what its largest cell
costs. Round r's candidates were proposed with the feedback of all W siblings, so small cells are
an estimate: `--check wxd` runs one cell directly to measure the gap.
"""

from __future__ import annotations

import io
import json
from collections.abc import Mapping, Sequence
from pathlib import Path

from pydantic import BaseModel

from sandbox import Verdict
from solver.engine import CandidateRecord
from solver.selection.behaviour import Behaviour
from solver.selection.tournament import pick
from solver.types import Candidate


class Cell(BaseModel):
    width: int
    depth: int
    resolve_rate: float
    plausible_rate: float
    oracle_rate: float
    """Some candidate of the cell is plausible."""
    sandbox_s: float
    """Mean sandbox seconds per task of the candidates the cell contains."""
    candidates: float
    """Mean candidates per task."""
    oracle_correct_rate: float = 0.0
    """Some plausible candidate of the cell is correct: what a perfect selector resolves."""
    first_rate: float = 0.0
    """Resolve rate when the first plausible candidate (earliest round, then place) is taken."""
    random_rate: float = 0.0
    """Expected resolve rate when a plausible candidate is taken at random."""

    @property
    def selection_accuracy(self) -> float | None:
        """The tournament's resolve rate over the oracle's (None: nothing to select)."""
        return round(self.resolve_rate / self.oracle_correct_rate, 4) if (
            self.oracle_correct_rate) else None


class Outcome(BaseModel):
    """One task in one cell."""

    resolved: bool
    plausible: bool
    oracle: bool
    oracle_correct: bool
    first: bool
    random: float
    sandbox_s: float


def place(candidate_id: str) -> int:
    """A candidate's position within its round (`r{round}-{n}` ids)."""
    return int(candidate_id.rsplit("-", 1)[1])


def subsample(records: Sequence[CandidateRecord], width: int, depth: int) -> list[CandidateRecord]:
    return [c for c in records if c.round < depth and place(c.id) < width]


def is_correct(record: CandidateRecord) -> bool:
    """Correct where held-back tests decide it, else plausible."""
    return record.correct if record.correct is not None else record.verdict.plausible


def task_outcome(
    records: Sequence[CandidateRecord], behaviour: Behaviour | None = None
) -> Outcome:
    """One task's subsampled candidates: the tournament's pick (with `behaviour`, the task's
    probe data from the big run, its clusters counted within the subset), and what the first
    plausible, a random plausible and a perfect pick would have resolved."""
    plausible = [c for c in records if c.verdict.plausible]
    entries = [(Candidate(id=c.id, diff=c.diff, round=c.round), Verdict(applied=True))
               for c in plausible]
    winner, _ = pick(entries, behaviour=behaviour)
    chosen = next((c for c in plausible if winner and c.id == winner[0].id), None)
    first = min(plausible, key=lambda c: (c.round, place(c.id)), default=None)
    return Outcome(
        resolved=chosen is not None and is_correct(chosen), plausible=chosen is not None,
        oracle=bool(plausible), oracle_correct=any(is_correct(c) for c in plausible),
        first=first is not None and is_correct(first),
        random=sum(map(is_correct, plausible)) / len(plausible) if plausible else 0.0,
        sandbox_s=sum(c.verdict.duration_s for c in records))


def surface(
    trajectories: dict[str, list[CandidateRecord]], widths: Sequence[int], depths: Sequence[int],
    behaviours: dict[str, Behaviour] | None = None,
) -> list[Cell]:
    cells = []
    count = max(len(trajectories), 1)
    behaviours = behaviours or {}

    def mean(values: Sequence[float], digits: int = 4) -> float:
        return round(sum(values) / count, digits)

    for depth in depths:
        for width in widths:
            rows = [task_outcome(subsample(records, width, depth), behaviours.get(task))
                    for task, records in trajectories.items()]
            sizes = [len(subsample(r, width, depth)) for r in trajectories.values()]
            cells.append(Cell(
                width=width, depth=depth,
                resolve_rate=mean([r.resolved for r in rows]),
                plausible_rate=mean([r.plausible for r in rows]),
                oracle_rate=mean([r.oracle for r in rows]),
                sandbox_s=mean([r.sandbox_s for r in rows], 3),
                candidates=mean(sizes, 2),
                oracle_correct_rate=mean([r.oracle_correct for r in rows]),
                first_rate=mean([r.first for r in rows]),
                random_rate=mean([r.random for r in rows])))
    return cells


def compute_optimal(cells: Sequence[Cell]) -> list[dict[str, object]]:
    """Per budget (each cell's cost), the best resolve rate affordable: the Pareto frontier."""
    frontier: list[dict[str, object]] = []
    best = -1.0
    for cell in sorted(cells, key=lambda c: (c.sandbox_s, -c.resolve_rate)):
        if cell.resolve_rate > best:
            best = cell.resolve_rate
            frontier.append({"budget_sandbox_s": cell.sandbox_s, "width": cell.width,
                             "depth": cell.depth, "resolve_rate": cell.resolve_rate})
    return frontier


def read_trajectories(run_dir: Path) -> dict[str, list[CandidateRecord]]:
    found = {}
    for path in sorted((run_dir / "trajectories").glob("*/candidates.jsonl")):
        lines = path.read_text(encoding="utf-8").splitlines()
        found[path.parent.name] = [CandidateRecord.model_validate_json(line) for line in lines]
    return found


def read_behaviours(run_dir: Path) -> dict[str, Behaviour]:
    """Each task's behaviour probe of its plausible candidates (behaviour.json), where run."""
    return {path.parent.name: Behaviour.model_validate_json(path.read_text(encoding="utf-8"))
            for path in sorted((run_dir / "trajectories").glob("*/behaviour.json"))}


def heatmap_png(cells: Sequence[Cell], widths: Sequence[int], depths: Sequence[int]) -> bytes:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 2, figsize=(9, 3.4))
    for ax, field, title, cmap in ((axes[0], "resolve_rate", "resolve rate", "Greens"),
                                   (axes[1], "sandbox_s", "sandbox s / task", "Oranges")):
        grid = [[getattr(next(c for c in cells if c.width == w and c.depth == d), field)
                 for w in widths] for d in depths]
        image = ax.imshow(grid, cmap=cmap, origin="lower", aspect="auto")
        for i, row in enumerate(grid):
            for j, value in enumerate(row):
                ax.text(j, i, f"{value:.2f}" if field == "resolve_rate" else f"{value:.1f}",
                        ha="center", va="center", fontsize=8)
        ax.set_xticks(range(len(widths)), [str(w) for w in widths])
        ax.set_yticks(range(len(depths)), [str(d) for d in depths])
        ax.set_xlabel("width (candidates per round)")
        ax.set_ylabel("depth (rounds)")
        ax.set_title(title)
        fig.colorbar(image, ax=ax)
    fig.tight_layout()
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=110)
    plt.close(fig)
    return buf.getvalue()


def write_scale(out: Path, cells: Sequence[Cell], widths: Sequence[int],
                depths: Sequence[int], check: Mapping[str, object] | None) -> dict[str, object]:
    png = heatmap_png(cells, widths, depths)
    (out / "scale.png").write_bytes(png)
    data: dict[str, object] = {
        "cells": [c.model_dump() | {"selection_accuracy": c.selection_accuracy} for c in cells],
        "compute_optimal": compute_optimal(cells),
        "check": check,
        "heatmap": "scale.png",
    }
    (out / "scale.json").write_text(json.dumps(data, indent=1), encoding="utf-8")
    return data
