"""`solver bench search`: the figures from plain cell runs, and one real cell in Docker."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
from pathlib import Path

import pytest

import solver.harness.bench_search as bench
from solver.deciding import DecisionPlan
from solver.harness.bench_check import patched
from solver.harness.bench_table import (
    TIMEOUT,
    CellRun,
    append_run,
    load_done,
    per_task,
    percentile,
    summarize_cell,
    summarize_cells,
)
from tasks.model import Task

ROOT = Path(__file__).resolve().parent.parent


def run(task: str, plausible: bool, correct: bool | None, first: float | None,
        single: bool = True, candidates: int = 8, width: int = 4) -> CellRun:
    return CellRun(instance_id=task, width=width, depth=1, single_location=single,
                   plausible=plausible, correct=correct, oracle_correct=correct,
                   first_plausible_s=first, candidates=candidates, wall_s=first or 9.0)


def test_patched_applies_a_git_diff_and_refuses_unknown_files() -> None:
    files = {"m.py": "def f(a):\n    return a - 1\n\n\ndef g():\n    return 0\n"}
    diff = ("diff --git a/m.py b/m.py\n--- a/m.py\n+++ b/m.py\n@@ -1,2 +1,2 @@\n"
            " def f(a):\n-    return a - 1\n+    return a + 1\n")
    assert patched(files, diff) == {"m.py": files["m.py"].replace("a - 1", "a + 1")}
    assert patched({}, diff) is None
    assert patched(files, "") is None


def test_percentile_nearest_rank() -> None:
    assert percentile([], 0.9) is None
    assert percentile([3.0], 0.9) == 3.0
    assert percentile([float(i) for i in range(1, 11)], 0.9) == 9.0
    assert percentile([4.0, 1.0, 2.0, 3.0], 0.5) == 2.0


def test_summarize_cell_counts_and_times() -> None:
    runs = [
        run("a", True, True, 2.0), run("b", True, False, 4.0),
        run("c", False, None, None, single=False, candidates=20),
        run("d", True, True, 70.0),
    ]
    row = summarize_cell(runs, within_s=60.0)
    assert (row["plausible"], row["correct"], row["tasks"]) == (3, 2, 4)
    assert (row["single_tasks"], row["single_correct"], row["single_correct_within"]) == (3, 2, 1)
    assert row["multi_correct"] == 0
    assert row["first_plausible_median_s"] == 4.0
    assert row["first_plausible_p90_s"] == 70.0
    assert row["candidates_median"] == 8


def test_summarize_cells_groups_by_cell_and_marks_tasks() -> None:
    runs = [run("a", True, True, 1.0, width=4), run("a", False, None, None, width=8),
            run("b", True, False, 3.0, width=8)]
    rows = summarize_cells(runs, 60.0)
    assert [(r["width"], r["tasks"]) for r in rows] == [(4, 1), (8, 2)]
    assert per_task(runs) == {"a": {"4x1": "C", "8x1": "-"}, "b": {"8x1": "P"}}


def task(name: str) -> Task:
    return Task(instance_id=name, repo="r", base_commit="HEAD", problem_statement="",
                fail_to_pass=["t"])


def test_a_hung_cell_is_recorded_as_a_timeout(monkeypatch: pytest.MonkeyPatch) -> None:
    async def hang(*_: object, **__: object) -> CellRun:
        await asyncio.sleep(60)
        raise AssertionError("not reached")

    monkeypatch.setattr(bench, "run_cell", hang)
    located = bench.Localized([], {}, None, DecisionPlan((), {}))
    run = asyncio.run(bench.run_cell_watched(
        task("a"), None, {}, located, (4, 1), 1.0, 60.0, 0.05, None))  # type: ignore[arg-type]
    assert (run.error, run.plausible, run.width, run.depth) == (TIMEOUT, False, 4, 1)
    assert per_task([run]) == {"a": {"4x1": "T"}}
    assert summarize_cell([run], 60.0)["timeouts"] == 1


def test_an_interrupted_bench_resumes_and_loses_no_task(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    calls: list[tuple[str, list[tuple[int, int]]]] = []

    async def fake_task(task: Task, cells, config, max_seconds, record, task_timeout, log,
                        trajectories) -> None:
        calls.append((task.instance_id, list(cells)))
        for width, _ in cells:
            record(run(task.instance_id, True, True, 1.0, width=width))
            if task.instance_id == "slow":
                raise TimeoutError  # the watchdog ended it: its other cells are timeouts
            if task.instance_id == "quiet":
                return  # ended without a word about its other cells

    monkeypatch.setattr(bench, "bench_task", fake_task)
    out = tmp_path / "cells.jsonl"
    cells = [(4, 1), (8, 1)]
    tasks = [task("slow"), task("quiet"), task("b")]
    runs = asyncio.run(bench.run_bench(tasks, cells, None, 60.0, out))  # type: ignore[arg-type]
    assert len(runs) == 6 == len(load_done(out))
    assert [(r.instance_id, r.error) for r in runs if r.error] == [
        ("slow", TIMEOUT), ("quiet", "not run")]
    lines = out.read_text().splitlines()
    out.write_text("\n".join(lines[:5]) + '\n{"instance_id": "b", "wid')  # killed mid-line
    assert len(load_done(out)) == 5
    calls.clear()
    again = asyncio.run(bench.run_bench(tasks, cells, None, 60.0, out))  # type: ignore[arg-type]
    assert calls == [("b", [(8, 1)])]  # only what never ended runs again
    assert len(again) == 6 == len(load_done(out))
    append_run(out, run("c", False, None, None))
    assert len(load_done(out)) == 7


@pytest.mark.docker
def test_bench_search_one_task_end_to_end(docker_client, tmp_path: Path) -> None:
    out = tmp_path / "cells.jsonl"
    command = [sys.executable, "-m", "solver.cli", "bench", "search", "tasks/bundled",
               "--instances", "stats-sample-variance", "--widths", "4", "--depths", "1,2",
               "--out", str(out), "--json"]
    done = subprocess.run(command, capture_output=True, text=True, timeout=600, cwd=ROOT)
    assert done.returncode == 0, done.stderr[-3000:]
    figures = json.loads(done.stdout)
    assert [(c["width"], c["depth"]) for c in figures["cells"]] == [(4, 1), (4, 2)]
    assert figures["single_location"] == {"stats-sample-variance": True}
    assert figures["cells"][0]["correct"] == 1
    assert len(out.read_text().splitlines()) == 2
    again = subprocess.run(command, capture_output=True, text=True, timeout=120, cwd=ROOT)
    assert json.loads(again.stdout)["cells"] == figures["cells"]  # resumed: nothing rerun


@pytest.mark.docker
def test_looping_tasks_end_within_their_budget_and_leave_no_container(
    docker_client, tmp_path: Path
) -> None:
    """Issue 16: two classic programs whose bugs loop, 16 candidates a round, a tight budget:
    rounds in flight are cut at the deadline, every cell ends within the budget plus the
    stated tolerance, and the bench leaves no container behind."""
    budget, tolerance = 30.0, 5.0
    out = tmp_path / "cells.jsonl"
    command = [sys.executable, "-m", "solver.cli", "bench", "search", "tasks/classic",
               "--instances", "lower-bound-loop,graph-reach-cycle", "--widths", "16",
               "--depths", "10", "--max-seconds", str(budget), "--test-timeout", "3",
               "--out", str(out), "--json"]
    bench_run = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                 text=True, cwd=ROOT)
    stdout, stderr = bench_run.communicate(timeout=900)
    assert bench_run.returncode == 0, stderr[-3000:]
    (cell,) = json.loads(stdout)["cells"]
    assert (cell["tasks"], cell["errors"]) == (2, 0)
    runs = [json.loads(line) for line in out.read_text().splitlines()]
    assert all(r["wall_s"] <= budget + tolerance for r in runs), runs
    assert cell["wall_max_s"] <= budget + tolerance
    assert all(r["candidates"] + r["unverified"] > 0 for r in runs), runs  # rounds ran
    left = docker_client.containers.list(
        all=True, filters={"label": f"solver.pid={bench_run.pid}"})
    assert left == []
