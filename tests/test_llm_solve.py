"""`solver solve --generator llm` end to end: the CLI, real litellm over real HTTP against the
fake server, real Docker. Each test scripts the model's answers and reads what was asked."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import docker
import pytest

from tests.fakellm import FakeLLM, Malformed, Status, ToolCall, fake_llm_fixture  # noqa: F401

ROOT = Path(__file__).resolve().parent.parent
TASK = ROOT / "tasks" / "bundled" / "money-allocate"
F2P = "tests/test_allocate.py::test_split_uneven"
SECRET = "sk-never-log-me-4242"

pytestmark = pytest.mark.docker


def edit(old: str, new: str, why: str) -> str:
    return (f"{why}\n\nmoneyx/allocate.py\n```python\n<<<<<<< SEARCH\n"
            f"        shares[i % len(shares)] {old}\n=======\n"
            f"        shares[i % len(shares)] {new}\n>>>>>>> REPLACE\n```\n")


WRONG = edit("-= 1", "-= 0", "The remainder is subtracted; stop subtracting it.")
RIGHT = edit("-= 1", "+= 1", "Leftover minor units must be added to the first shares.")
RIGHT_AFTER_WRONG = edit("-= 0", "+= 1", "Ignoring the remainder loses it: add it instead.")
NOTE = "Both subtracting and ignoring the remainder leave the total short: add each unit."


def solve(
    fake: FakeLLM, out: Path, *args: str, task: Path = TASK, env: dict[str, str] | None = None
) -> tuple[subprocess.CompletedProcess[str], dict[str, Any], Path]:
    environ = {**os.environ, "SOLVER_API_KEY": SECRET, "SOLVER_MODEL_BACKOFF": "0.01",
               "LITELLM_LOCAL_MODEL_COST_MAP": "True", **(env or {})}
    environ.pop("SOLVER_MODEL", None)
    run = subprocess.run(
        [sys.executable, "-m", "solver.cli", "solve", str(task), "--generator", "llm",
         "--model", "openai/fake", "--api-base", fake.base_url, "--json", "--out", str(out),
         *args],
        capture_output=True, text=True, timeout=120, cwd=ROOT, env=environ)
    summary = json.loads(run.stdout) if run.stdout.strip() else {}
    assert SECRET not in run.stdout + run.stderr
    folder = out / "trajectories" / (summary.get("instance_id") or "money-allocate")
    return run, summary, folder


def events_of(folder: Path) -> list[dict[str, Any]]:
    text = (folder / "events.jsonl").read_text()
    assert SECRET not in text
    return [json.loads(line) for line in text.splitlines()]


def prompt_of(body: dict[str, Any]) -> str:
    return str(body["messages"][-1]["content"])


def test_refined_and_distilled_run_is_plausible(
    docker_client: docker.DockerClient, fake_llm: FakeLLM, tmp_path: Path
) -> None:
    fake_llm.script([WRONG, NOTE, RIGHT_AFTER_WRONG])
    run, summary, folder = solve(fake_llm, tmp_path, "--width", "1", "--depth", "3")
    assert run.returncode == 0, run.stderr[-3000:]
    assert summary["plausible"] is True
    assert summary["correct"] is True  # the held-back tests pass too
    assert summary["protocol"] == "tests"  # a bundled task: its failing tests are the task
    assert summary["rounds"] == 2
    first, distill, refine = fake_llm.requests
    assert "# Failing tests" in prompt_of(first)
    assert "Approach for this attempt: root-cause" in prompt_of(first)
    assert "# Attempts that failed" in prompt_of(distill)
    refined = prompt_of(refine)
    assert "# Your previous attempt" in refined
    assert f"{F2P}: failed" in refined
    assert "Money('3.33', 'USD') != Money('3.34', 'USD')" in refined  # the assertion message
    assert NOTE in refined
    events = events_of(folder)
    kinds = [e["type"] for e in events]
    assert kinds[0] == "start"
    assert kinds.count("distill") == 1
    assert [e["id"] for e in events if e["type"] == "candidate"] == ["llm-r0-t0", "llm-r1-t0"]
    ledger = json.loads((folder / "llm_ledger.json").read_text())
    per = ledger["per_candidate"]
    assert set(per) == {"llm-r0-t0", "llm-r1-t0", "distill"}
    assert summary["ledger"]["tokens"] == sum(p["tokens_in"] + p["tokens_out"]
                                              for p in per.values()) > 0
    assert summary["ledger"]["calls"] == 3
    records = [json.loads(line) for line in (folder / "candidates.jsonl").read_text().splitlines()]
    assert records[1]["parent_ids"] == ["llm-r0-t0"]
    assert SECRET not in "".join(p.read_text() for p in folder.iterdir())


def test_reproduction_test_becomes_fail_to_pass(
    docker_client: docker.DockerClient, fake_llm: FakeLLM, tmp_path: Path
) -> None:
    task = tmp_path / "issue-only"
    shutil.copytree(TASK, task)
    spec = json.loads((task / "task.json").read_text())
    spec.update(instance_id="money-issue-only", FAIL_TO_PASS=[])
    (task / "task.json").write_text(json.dumps(spec))
    passes = ("tests/test_reproduce_issue.py\n```python\n<<<<<<< SEARCH\n=======\n"
              "from moneyx import Money, split_evenly\n\n\ndef test_even():\n"
              "    assert split_evenly(Money('9.00', 'USD'), 3)[0] == Money('3.00', 'USD')\n"
              ">>>>>>> REPLACE\n```\n")
    fails = passes.replace("9.00", "10.00").replace("3.00", "3.34").replace("test_even",
                                                                             "test_uneven")
    fake_llm.script([passes, fails, RIGHT])
    run, summary, folder = solve(fake_llm, tmp_path / "run", "--width", "1", "--depth", "1",
                                 task=task)
    assert run.returncode == 0, run.stderr[-3000:]
    assert summary["plausible"] is True
    retry = prompt_of(fake_llm.requests[1])
    assert "no test failed" in retry
    assert "test_even: passed" in retry
    propose = prompt_of(fake_llm.requests[2])
    assert "tests/test_reproduce_issue.py::test_uneven" in propose  # now the failing test
    assert "assert Money('3.32', 'USD') == Money('3.34', 'USD')" in propose  # its output
    kept = [e for e in events_of(folder) if e["type"] == "reproduce"]
    assert [e["kept"] for e in kept] == [False, True]
    assert kept[1]["test_ids"] == ["tests/test_reproduce_issue.py::test_uneven"]
    assert (folder / "llm_ledger.json").is_file()
    assert json.loads((folder / "llm_ledger.json").read_text())["per_candidate"]["reproduce"][
        "calls"] == 2


def test_token_cap_stops_the_run_cleanly(
    docker_client: docker.DockerClient, fake_llm: FakeLLM, tmp_path: Path
) -> None:
    fake_llm.script([WRONG, NOTE, RIGHT_AFTER_WRONG])
    run, summary, folder = solve(fake_llm, tmp_path, "--width", "1", "--depth", "3",
                                 "--max-tokens", "100")
    assert run.returncode == 1, run.stderr[-3000:]
    assert "Traceback" not in run.stderr
    assert summary["plausible"] is False
    assert summary["candidates"] == 1
    assert len(fake_llm.requests) == 1  # the cap is checked before every call
    assert summary["ledger"]["tokens"] > 100
    stop = [e for e in events_of(folder) if e["type"] == "stop"]
    assert "budget exceeded: tokens" in stop[0]["reason"]


def test_rate_limits_errors_and_garbage_are_survived(
    docker_client: docker.DockerClient, fake_llm: FakeLLM, tmp_path: Path
) -> None:
    fake_llm.script([Status(429, retry_after=0), Status(500), Malformed(),
                     "Sorry, I cannot see the code.", RIGHT])
    run, summary, folder = solve(fake_llm, tmp_path, "--width", "1", "--depth", "1")
    assert run.returncode == 0, run.stderr[-3000:]
    assert summary["plausible"] is True
    assert summary["ledger"]["calls"] == 5
    events = events_of(folder)
    answers = [e for e in events if e["type"] == "answer"]
    assert answers[0]["attempts"] == 4
    (drop,) = [e for e in events if e["type"] == "drop"]
    assert "no SEARCH/REPLACE block" in drop["reason"]
    assert "could not be used" in prompt_of(fake_llm.requests[-1])


def test_agent_reads_and_tests_in_its_sandbox(
    docker_client: docker.DockerClient, fake_llm: FakeLLM, tmp_path: Path
) -> None:
    fake_llm.script([
        ToolCall("read_file", {"path": "moneyx/allocate.py", "start_line": 24, "end_line": 26}),
        f'Let me run the test.\nACTION: run_tests {{"ids": ["{F2P}"]}}',
        RIGHT,
    ])
    run, summary, folder = solve(fake_llm, tmp_path, "--width", "1", "--depth", "1",
                                 "--agent-steps", "3")
    assert run.returncode == 0, run.stderr[-3000:]
    assert summary["plausible"] is True
    first, second, third = fake_llm.requests
    assert first["tools"][0]["function"]["name"] == "read_file"
    observation = second["messages"][-1]
    assert observation["role"] == "tool"
    assert "shares[i % len(shares)] -= 1" in observation["content"]
    assert "tools" not in third  # the model spoke the text format: answered in kind
    assert third["messages"][-1]["content"].startswith("OBSERVATION (run_tests):")
    assert f"{F2P}: failed" in third["messages"][-1]["content"]
    actions = [e for e in events_of(folder) if e["type"] == "action"]
    assert [a["tool"] for a in actions] == ["read_file", "run_tests"]
