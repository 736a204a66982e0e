"""The figures of `solver bench search`: one `CellRun` per task × (width, depth), kept as JSON
lines (appended as each ends, so an interrupted bench resumes), summarized per cell and marked
per task."""

from __future__ import annotations

import json
import os
import statistics
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, fields
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from tasks.model import Task

Cell = tuple[int, int]
"""(width, depth)."""
TIMEOUT = "timeout"
"""The error of a cell the watchdog ended."""


@dataclass(frozen=True)
class CellRun:
    """One task solved in one (width, depth) cell."""

    instance_id: str
    width: int
    depth: int
    single_location: bool
    plausible: bool
    correct: bool | None
    oracle_correct: bool | None
    first_plausible_s: float | None
    """Localization plus engine seconds until a plausible candidate's verdict was in."""
    candidates: int
    wall_s: float
    error: str = ""
    exact: bool | None = None
    """The winner's code is the reference patch's (same AST); None: no winner."""
    correct_by: str = ""
    """What `correct` rests on: "hidden" (held-back tests), "held-out" (the failing tests'
    files run whole), or "" (not judged)."""
    grade_s: float = 0.0
    """Seconds of the engine's held-back check (grading: not in `wall_s`)."""
    unverified: int = 0
    """Candidates proposed but not run: the deadline cut their round."""


def describe(run: CellRun) -> str:
    mark = "correct" if run.correct else "plausible" if run.plausible else "unsolved"
    when = f" at {run.first_plausible_s}s" if run.first_plausible_s is not None else ""
    return (f"{run.instance_id} K={run.width} D={run.depth}: {mark}{when}, "
            f"{run.candidates} candidate(s), {run.wall_s}s{' ' + run.error if run.error else ''}")


def percentile(values: Sequence[float], q: float) -> float | None:
    """The q-quantile (nearest rank) of `values`, None when empty."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, -(-len(ordered) * q // 1))
    return ordered[int(rank) - 1]


def summarize_cell(runs: Sequence[CellRun], within_s: float) -> dict[str, Any]:
    """The figures of one (width, depth) cell over every task."""
    single = [r for r in runs if r.single_location]
    multi = [r for r in runs if not r.single_location]
    times = [r.first_plausible_s for r in runs if r.first_plausible_s is not None]
    walls = [r.wall_s for r in runs if not r.error]
    return {
        "width": runs[0].width, "depth": runs[0].depth, "tasks": len(runs),
        "plausible": sum(r.plausible for r in runs),
        "correct": sum(bool(r.correct) for r in runs),
        "exact": sum(bool(r.exact) for r in runs),
        "single_tasks": len(single),
        "single_plausible": sum(r.plausible for r in single),
        "single_correct": sum(bool(r.correct) for r in single),
        "single_correct_within": sum(
            bool(r.correct) and (r.first_plausible_s or 0.0) <= within_s for r in single),
        "multi_plausible": sum(r.plausible for r in multi),
        "multi_correct": sum(bool(r.correct) for r in multi),
        "oracle_correct": sum(bool(r.oracle_correct) for r in runs),
        "first_plausible_median_s": _rounded(statistics.median(times) if times else None),
        "first_plausible_p90_s": _rounded(percentile(times, 0.9)),
        "candidates_median": statistics.median([r.candidates for r in runs]) if runs else 0,
        "candidates_mean": round(statistics.mean([r.candidates for r in runs]), 1) if runs else 0,
        "candidates_total": sum(r.candidates for r in runs),
        "unverified_total": sum(r.unverified for r in runs),
        "wall_median_s": _rounded(statistics.median(walls) if walls else None),
        "wall_p90_s": _rounded(percentile(walls, 0.9)),
        "wall_max_s": _rounded(max(walls, default=None)),
        "errors": sum(bool(r.error) for r in runs),
        "timeouts": sum(r.error == TIMEOUT for r in runs),
    }


def _rounded(value: float | None) -> float | None:
    return None if value is None else round(value, 2)


def summarize_cells(runs: Iterable[CellRun], within_s: float) -> list[dict[str, Any]]:
    by_cell: dict[Cell, list[CellRun]] = {}
    for run in runs:
        by_cell.setdefault((run.width, run.depth), []).append(run)
    return [summarize_cell(by_cell[cell], within_s) for cell in sorted(by_cell)]


_FIELDS = frozenset(f.name for f in fields(CellRun))


def load_done(out: Path | None) -> list[CellRun]:
    """Cell runs a previous (interrupted) run appended to `out`; a line torn by a kill is
    dropped (its cell runs again)."""
    if out is None or not out.exists():
        return []
    runs = []
    for line in out.read_text(encoding="utf-8").splitlines():
        try:
            data = json.loads(line)
        except json.JSONDecodeError:
            continue
        if isinstance(data, dict):
            runs.append(CellRun(**{k: v for k, v in data.items() if k in _FIELDS}))
    return runs


def append_run(out: Path, run: CellRun) -> None:
    """One cell run as a JSON line, flushed to disk (a torn earlier line is closed first)."""
    text = out.read_text(encoding="utf-8") if out.exists() else ""
    with out.open("a", encoding="utf-8") as fh:
        if text and not text.endswith("\n"):
            fh.write("\n")
        fh.write(json.dumps(asdict(run)) + "\n")
        fh.flush()
        os.fsync(fh.fileno())


def failed_run(task: Task, cell: Cell, error: str, wall_s: float = 0.0) -> CellRun:
    return CellRun(
        instance_id=task.instance_id, width=cell[0], depth=cell[1],
        single_location=task.locations == 1, plausible=False, correct=None, oracle_correct=None,
        first_plausible_s=None, candidates=0, wall_s=wall_s, error=error[:300],
    )


def per_task(runs: Iterable[CellRun]) -> dict[str, dict[str, str]]:
    """Per task and cell: C (correct), P (plausible only), - (unsolved), T (timeout), E (error)."""
    table: dict[str, dict[str, str]] = {}
    for run in runs:
        mark = ("T" if run.error == TIMEOUT else "E" if run.error else "C" if run.correct
                else "P" if run.plausible else "-")
        table.setdefault(run.instance_id, {})[f"{run.width}x{run.depth}"] = mark
    return table
