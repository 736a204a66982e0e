"""Leakage, end to end: `solver eval run` with the llm generator on a SWE-bench-shaped task,
real litellm over HTTP to tests/fakellm.py (which records every request body), real Docker.

Under `--protocol issue` no request holds a hidden test's name or a line only the test patch
adds, and no sandbox run before grading carries the test patch (runs.jsonl); the hidden tests
then grade the scripted right fix as resolved. Under `--protocol tests` the same requests do
hold them.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import docker
import pytest

from solver.protocol import added_lines, answer_lines, hidden_test_names
from tasks.load import load_task
from tests.fakellm import FakeLLM, fake_llm_fixture  # noqa: F401
from tests.swebench_shaped import INSTANCE, ROOT, base_repository_text, make_swebench_shaped

pytestmark = pytest.mark.docker

REPRODUCE = ("tests/test_reproduce_issue.py\n```python\n<<<<<<< SEARCH\n=======\n"
             "from moneyx import Money, split_evenly\n\n\ndef test_uneven():\n"
             "    assert split_evenly(Money('10.00', 'USD'), 3)[0] == Money('3.34', 'USD')\n"
             ">>>>>>> REPLACE\n```\n")
RIGHT = ("Leftover minor units must be added to the first shares.\n\nmoneyx/allocate.py\n"
         "```python\n<<<<<<< SEARCH\n        shares[i % len(shares)] -= 1\n=======\n"
         "        shares[i % len(shares)] += 1\n>>>>>>> REPLACE\n```\n")


def eval_run(fake: FakeLLM, tasks: Path, out: Path, *args: str) -> subprocess.CompletedProcess[str]:
    environ = {**os.environ, "SOLVER_API_KEY": "sk-test", "SOLVER_MODEL_BACKOFF": "0.01",
               "LITELLM_LOCAL_MODEL_COST_MAP": "True"}
    return subprocess.run(
        [sys.executable, "-m", "solver.cli", "eval", "run", str(tasks), "--out", str(out),
         "--instances", INSTANCE, "--generator", "llm", "--model", "openai/x", "--api-base",
         fake.base_url, "--width", "1", "--depth", "1", "--test-timeout", "30", *args],
        capture_output=True, text=True, timeout=600, cwd=ROOT, env=environ)


def sent(fake: FakeLLM) -> str:
    return "\n".join(json.dumps(body) for body in fake.requests).replace("\\n", "\n").replace(
        '\\"', '"')


def result_line(out: Path) -> dict[str, Any]:
    (line,) = (out / "results.jsonl").read_text().splitlines()
    return dict(json.loads(line))


def test_issue_protocol_leaks_nothing_and_grades_afterwards(
    docker_client: docker.DockerClient, fake_llm: FakeLLM, tmp_path: Path
) -> None:
    folder = make_swebench_shaped(tmp_path / "tasks")
    task = load_task(folder)
    fake_llm.script([REPRODUCE, REPRODUCE.replace("test_uneven", "test_total_kept"), RIGHT])
    run = eval_run(fake_llm, folder.parent, tmp_path / "run")
    assert run.returncode == 0, run.stderr[-3000:]
    result = result_line(tmp_path / "run")
    assert result["protocol"] == "issue"
    assert result["plausible"] is True
    assert result["correct"] is True
    assert result["ledger"]["stages"]["reproduce"]["calls"] == 2  # two reproductions
    assert result["ledger"]["stages"]["grade"]["test_runs"] == 1

    text = sent(fake_llm)
    assert "Splitting $10.00 three ways loses two cents" in text  # the issue did go out
    assert [n for n in hidden_test_names(task) if n in text] == []
    lines = answer_lines(task, base_repository_text(folder))
    assert len(lines) >= 10
    assert [line for line in lines if line in text] == []
    assert task.hints_text not in text

    trajectory = tmp_path / "run" / "trajectories" / INSTANCE
    runs = [json.loads(r) for r in (trajectory / "runs.jsonl").read_text().splitlines()]
    before = [r for r in runs if r["stage"] != "grade"]
    assert {r["kind"] for r in before} >= {"spec", "reproduce", "coverage", "verify"}
    test_patch_lines = added_lines(task.test_patch)
    for r in before:
        assert "tests/test_hidden.py" not in r["extra_patch"]
        assert not [line for line in test_patch_lines if line in r["extra_patch"]]
    graded = [r for r in runs if r["stage"] == "grade"]
    assert graded
    assert all(r["extra_patch_files"] == ["tests/test_hidden.py"] for r in graded)
    assert runs.index(graded[0]) > max(runs.index(r) for r in before)
    written = "\n".join(p.read_text() for p in trajectory.iterdir())
    assert [n for n in hidden_test_names(task) if n in written] == []

    decisions = json.loads((trajectory / "result.json").read_text())["decisions"]
    reproduce = next(d for d in decisions if d["action"] == "reproduce")
    assert ("2 test file(s) tried, 2 failed on the base tree; kept: "
            "tests/test_reproduce_issue.py::test_uneven, "
            "tests/test_reproduce_issue_2.py::test_total_kept") in reproduce["reason"]
    regression = next(d for d in decisions if d["action"] == "regression")
    assert "pass on the base tree" in regression["reason"]
    report = json.loads((tmp_path / "run" / "report.json").read_text())
    assert report["summary"]["protocol"] == "issue"
    assert report["meta"]["protocol"] == "issue"
    html = (tmp_path / "run" / "report.html").read_text()
    assert html.index("protocol<b>issue</b>") < html.index("resolve rate<b>")


def test_tests_protocol_hands_the_key_over(
    docker_client: docker.DockerClient, fake_llm: FakeLLM, tmp_path: Path
) -> None:
    folder = make_swebench_shaped(tmp_path / "tasks")
    task = load_task(folder)
    fake_llm.script([RIGHT])
    run = eval_run(fake_llm, folder.parent, tmp_path / "run", "--protocol", "tests")
    assert run.returncode == 0, run.stderr[-3000:]
    result = result_line(tmp_path / "run")
    assert result["protocol"] == "tests"
    assert result["plausible"] is True
    text = sent(fake_llm)
    assert [n for n in hidden_test_names(task) if n in text] == hidden_test_names(task)
    assert [line for line in answer_lines(task, base_repository_text(folder)) if line in text]
