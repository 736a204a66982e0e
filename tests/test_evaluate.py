"""solver eval: shards, resume after SIGKILL, merge, report."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from solver.harness.evaluate import (
    RESULTS,
    append_result,
    merge_runs,
    parse_shard,
    read_results,
    select_tasks,
)
from solver.harness.report import summarize_run, write_report
from solver.harness.results import TaskResult
from tasks.model import Task

BUNDLED = Path(__file__).parents[1] / "tasks" / "bundled"
QUICK = "interval-merge,money-allocate,semver-range"


def tasks(n: int) -> list[Task]:
    return [Task(instance_id=f"t{i:02d}") for i in range(n)]


def test_shards_partition_the_tasks_deterministically():
    all_ids = {t.instance_id for t in tasks(10)}
    slices = [[t.instance_id for t in select_tasks(tasks(10)[::-1], shard=(k, 3))]
              for k in (1, 2, 3)]
    assert set().union(*slices) == all_ids
    assert sum(map(len, slices)) == 10
    assert slices[0] == [t.instance_id for t in select_tasks(tasks(10), shard=(1, 3))]


@pytest.mark.parametrize("bad", ["0/3", "4/3", "x", "1-3"])
def test_bad_shard_is_a_clear_error(bad: str):
    with pytest.raises(ValueError, match="--shard"):
        parse_shard(bad)


def test_torn_last_line_is_dropped_and_cut(tmp_path: Path):
    append_result(tmp_path, TaskResult(instance_id="a", plausible=True))
    with (tmp_path / RESULTS).open("a") as fh:
        fh.write('{"instance_id": "b", "plaus')
    assert [r.instance_id for r in read_results(tmp_path)] == ["a"]
    assert (tmp_path / RESULTS).read_text().count("\n") == 1
    append_result(tmp_path, TaskResult(instance_id="b", plausible=False))
    assert [r.instance_id for r in read_results(tmp_path)] == ["a", "b"]


def test_merge_joins_shards_without_duplicates(tmp_path: Path):
    one, two = tmp_path / "s1", tmp_path / "s2"
    for folder, ids in ((one, "ab"), (two, "bc")):
        folder.mkdir()
        for i in ids:
            append_result(folder, TaskResult(instance_id=i, plausible=i != "c", patch=f"p{i}"))
    merged = merge_runs([one, two], tmp_path / "all")
    assert [r.instance_id for r in merged] == ["a", "b", "c"]
    text = (tmp_path / "all/predictions.jsonl").read_text()
    predictions = [json.loads(line) for line in text.splitlines()]
    assert [p["model_patch"] for p in predictions] == ["pa", "pb", "pc"]


def test_summary_keeps_plausible_apart_from_correct():
    results = [
        TaskResult(instance_id="a", plausible=True, correct=True, oracle=True,
                   oracle_correct=True, ledger={"cost_usd": 0.5, "sandbox_s": 2.0}),
        TaskResult(instance_id="b", plausible=True, correct=False, oracle=True,
                   oracle_correct=True, gaming=True),
        TaskResult(instance_id="c", plausible=False, oracle=False),
        TaskResult(instance_id="d", plausible=False, error="SandboxError: boom"),
    ]
    summary = summarize_run(results)
    assert summary["attempted"] == 3
    assert summary["errors"] == 1
    assert summary["plausible"] == 2
    assert summary["correct"] == 1
    assert summary["plausible_but_wrong"] == 1
    assert summary["gaming"] == 1  # a column of its own beside plausible and correct
    assert summary["resolve_rate"] == round(1 / 3, 4)
    assert summary["selection_accuracy"] == 0.5
    assert summary["cost_usd"]["total"] == 0.5


def test_report_is_self_contained_html(tmp_path: Path):
    results = [TaskResult(instance_id="no-trajectory", plausible=False, error="no image"),
               TaskResult(instance_id="a", plausible=True, correct=True, total_s=3.0,
                          winner="c2", patch="--- a/m.py\n+++ b/m.py\n@@ -1 +1 @@\n-x\n+y\n")]
    verdict = {"applied": True, "f2p_passed": 1, "f2p_total": 1, "p2p_passed": 3,
               "p2p_total": 3, "plausible": True}
    (tmp_path / "trajectories" / "a").mkdir(parents=True)
    (tmp_path / "trajectories" / "a" / "result.json").write_text(json.dumps({
        "candidates": [{"id": "c1", "round": 0, "note": "swap < for <=", "verdict": verdict},
                       {"id": "c2", "round": 1, "note": "n + 1", "verdict": verdict}],
        "bracket": [{"level": 0, "members": ["c1", "c2"], "winner": "c2",
                     "reason": "least drift from the base behaviour"}]}))
    path = write_report(tmp_path, results, {"name": "x", "generator": "search", "width": 1,
                                            "depth": 1, "written": "now"})
    html = path.read_text()
    assert "data:image/png;base64," in html
    assert "<script" not in html
    # a reader opens the task: its candidates, the bracket with its reason, the winning diff
    assert "<details>" in html
    assert "swap &lt; for &lt;=" in html
    assert "least drift from the base behaviour" in html
    assert "+y" in html
    assert json.loads((tmp_path / "report.json").read_text())["summary"]["correct"] == 1


def eval_cmd(out: Path, *extra: str) -> list[str]:
    return [sys.executable, "-m", "solver.cli", "eval", str(BUNDLED), "--out", str(out),
            "--instances", QUICK, "--width", "4", "--depth", "1", *extra]


def stable(results: list[TaskResult]) -> list[tuple[str, bool, str]]:
    return sorted((r.instance_id, r.plausible, r.patch) for r in results)


@pytest.mark.docker
def test_sigkilled_eval_resumes_to_the_same_results(docker_client, tmp_path: Path):
    reference = subprocess.run(eval_cmd(tmp_path / "ref"), capture_output=True, text=True,
                               timeout=300)
    assert reference.returncode == 0, reference.stderr[-2000:]
    killed = tmp_path / "killed"
    child = subprocess.Popen(eval_cmd(killed), stdout=subprocess.DEVNULL,
                             stderr=subprocess.DEVNULL, env={**os.environ, "COLUMNS": "120"})
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline and not (killed / RESULTS).exists():
        time.sleep(0.2)
    child.send_signal(signal.SIGKILL)
    child.wait()
    partial = read_results(killed)
    assert 1 <= len(partial) < 3
    subprocess.run([sys.executable, "-m", "solver.cli", "sandbox", "reap"], check=True,
                   capture_output=True, timeout=60)
    resumed = subprocess.run(eval_cmd(killed, "--resume"), capture_output=True, text=True,
                             timeout=300)
    assert resumed.returncode == 0, resumed.stderr[-2000:]
    lines = (killed / RESULTS).read_text().splitlines()
    assert len(lines) == 3
    assert stable(read_results(killed)) == stable(read_results(tmp_path / "ref"))
    assert (killed / "report.html").exists()
    assert len((killed / "predictions.jsonl").read_text().splitlines()) == 3
    refused = subprocess.run(eval_cmd(killed), capture_output=True, text=True, timeout=60)
    assert refused.returncode == 2


@pytest.mark.docker
def test_a_shared_budget_caps_the_run_and_every_task_gets_its_first_round(
    docker_client, tmp_path: Path
):
    run = subprocess.run(
        [sys.executable, "-m", "solver.cli", "eval", str(BUNDLED), "--out", str(tmp_path / "r"),
         "--instances", "money-allocate,semver-range", "--width", "4", "--depth", "3",
         "--shared-candidates", "6"], capture_output=True, text=True, timeout=400)
    assert run.returncode == 0, run.stderr[-2000:]
    results = read_results(tmp_path / "r")
    assert sorted(r.candidates for r in results)[0] >= 1  # the reserve kept a first round
    assert sum(r.candidates for r in results) <= 6
    decisions = [d for r in results for d in json.loads(
        (tmp_path / "r" / "trajectories" / r.instance_id / "result.json").read_text())["decisions"]]
    assert any("shared budget grants" in d["reason"] for d in decisions), decisions
