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
from collections.abc import Sequence
from pathlib import Path

from pydantic import BaseModel

from sandbox import Verdict
from solver.engine import CandidateRecord
from solver.tournament import pick
from solver.types import Candidate


class Cell(BaseModel):
    width: int
    depth: int
    resolve_rate: float
    plausible_rate: float
    oracle_rate: float
    sandbox_s: float
    """Mean sandbox seconds per task of the candidates the cell contains."""
    candidates: float
    """Mean candidates per task."""


def place(candidate_id: str) -> int:
    """A candidate's position within its round (`r{round}-{n}` ids)."""
    return int(candidate_id.rsplit("-", 1)[1])


def subsample(records: Sequence[CandidateRecord], width: int, depth: int) -> list[CandidateRecord]:
    return [c for c in records if c.round < depth and place(c.id) < width]


def task_outcome(records: Sequence[CandidateRecord]) -> tuple[bool, bool, bool, float]:
    """(resolved, plausible, oracle, sandbox seconds) of one task's subsampled candidates."""
    plausible = [c for c in records if c.verdict.plausible]
    entries = [(Candidate(id=c.id, diff=c.diff, round=c.round), Verdict(applied=True))
               for c in plausible]
    winner, _ = pick(entries)
    chosen = next((c for c in plausible if winner and c.id == winner[0].id), None)
    resolved = chosen is not None and (chosen.correct if chosen.correct is not None else True)
    seconds = sum(c.verdict.duration_s for c in records)
    return resolved, chosen is not None, bool(plausible), seconds


def surface(
    trajectories: dict[str, list[CandidateRecord]], widths: Sequence[int], depths: Sequence[int]
) -> list[Cell]:
    cells = []
    count = max(len(trajectories), 1)
    for depth in depths:
        for width in widths:
            rows = [task_outcome(subsample(records, width, depth))
                    for records in trajectories.values()]
            sizes = [len(subsample(r, width, depth)) for r in trajectories.values()]
            cells.append(Cell(
                width=width, depth=depth,
                resolve_rate=round(sum(r[0] for r in rows) / count, 4),
                plausible_rate=round(sum(r[1] for r in rows) / count, 4),
                oracle_rate=round(sum(r[2] for r in rows) / count, 4),
                sandbox_s=round(sum(r[3] for r in rows) / count, 3),
                candidates=round(sum(sizes) / count, 2)))
    return cells


def compute_optimal(cells: Sequence[Cell]) -> list[dict[str, object]]:
    """Per budget (each cell's cost), the best resolve rate affordable: the Pareto frontier."""
    frontier = []
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
                depths: Sequence[int], check: dict[str, object] | None) -> dict[str, object]:
    png = heatmap_png(cells, widths, depths)
    (out / "scale.png").write_bytes(png)
    data: dict[str, object] = {
        "cells": [c.model_dump() for c in cells],
        "compute_optimal": compute_optimal(cells),
        "check": check,
        "heatmap": "scale.png",
    }
    (out / "scale.json").write_text(json.dumps(data, indent=1), encoding="utf-8")
    return data
