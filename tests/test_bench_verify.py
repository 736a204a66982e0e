"""`solver bench verify`: the ratios from plain figures, and one real task in Docker (no speed
is asserted: the machine is shared; the bench reports its load average)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from solver.harness.bench_verify import PATHS, summarize

ROOT = Path(__file__).resolve().parent.parent


def figures(per_minute: dict[str, float], identical: bool = True) -> dict[str, object]:
    paths = {name: {"candidates": 6, "sandbox_s": 360 / rate} for name, rate in per_minute.items()}
    return {"paths": paths, "verdicts_identical": identical}


def test_summarize_pools_tasks_and_compares_paths() -> None:
    rates = {"today": 10.0, "decide": 20.0, "warm": 15.0, "decide+warm": 30.0, "naive": 3.0}
    summary = summarize([figures(rates), figures(rates, identical=False)])
    assert summary["speedup_vs_today"] == 3.0
    assert summary["speedup_vs_naive"] == 10.0
    assert summary["per_technique_vs_today"] == {"decide": 2.0, "warm": 1.5, "decide+warm": 3.0}
    assert summary["verdicts_identical"] is False


@pytest.mark.docker
def test_bench_verify_one_task_end_to_end(docker_client) -> None:
    command = [sys.executable, "-m", "solver.cli", "bench", "verify", "tasks/bundled",
               "--instances", "stats-sample-variance", "--width", "3", "--naive", "1", "--json"]
    done = subprocess.run(command, capture_output=True, text=True, timeout=900, cwd=ROOT)
    assert done.returncode == 0, done.stderr[-3000:]
    result = json.loads(done.stdout)
    assert result["errors"] == {}
    assert result["verdicts_identical"] is True
    (task,) = result["tasks"]
    assert task["candidates"] == 3
    for name in (*PATHS, "naive"):
        path = task["paths"][name]
        assert path["per_minute"] > 0
        assert set(path["per_candidate_s"]) == {"overhead_s", "start_s", "collect_s", "tests_s"}
    assert task["paths"]["warm"]["warm_runs"] == task["paths"]["warm"]["runs"]
    assert task["paths"]["today"]["warm_runs"] == 0
    assert result["speedup_vs_today"] > 0
    assert "start" in result["load_average"]


def test_no_task_is_exit_2_with_json() -> None:
    command = [sys.executable, "-m", "solver.cli", "bench", "verify", "tasks/bundled",
               "--instances", "no-such-task", "--json"]
    done = subprocess.run(command, capture_output=True, text=True, timeout=120, cwd=ROOT)
    assert done.returncode == 2
    assert "no task to run" in json.loads(done.stdout)["error"]


def test_a_run_that_crashed_is_not_a_failing_test() -> None:
    from sandbox.verdict import Outcome, TestResult, Verdict
    from solver.harness.bench_verify import agree
    from tasks.model import Task

    task = Task(instance_id="t", problem_statement="p", FAIL_TO_PASS=["a", "b"])

    def ran(**outcomes: Outcome) -> Verdict:
        return Verdict(applied=True, tests={t: TestResult(test_id=t, outcome=o)
                                            for t, o in outcomes.items()})

    failed = ran(a=Outcome.FAILED, b=Outcome.PASSED)
    assert agree(task, failed, ran(a=Outcome.FAILED, b=Outcome.MISSING))  # stopped early
    assert not agree(task, failed, ran(a=Outcome.MISSING, b=Outcome.MISSING))  # never ran
    assert not agree(task, failed, ran(a=Outcome.ERROR, b=Outcome.PASSED))


def test_the_warm_process_knows_which_modules_pytest_rewrites_as_plugins() -> None:
    import importlib.util

    spec = importlib.util.spec_from_file_location(
        "solver_warm_under_test", ROOT / "sandbox" / "runtime" / "solver_warm.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    import sys
    sys.path.insert(0, str(ROOT / "sandbox" / "runtime"))
    try:
        spec.loader.exec_module(module)
    finally:
        sys.path.remove(str(ROOT / "sandbox" / "runtime"))
    assert "pytest_cov" in module.plugin_modules()  # pytest-cov registers a pytest11 plugin
