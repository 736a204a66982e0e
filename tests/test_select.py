"""`solver select`: candidate pools from anyone's predictions, the pick, the baselines."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from sandbox import Outcome
from solver.generators.llm import ModelClient, ModelConfig, Spend
from solver.harness.pools import Pool, PoolError, Sourced, load_pools, majority, normalized
from solver.harness.select_evidence import (
    Record,
    comparable,
    importing_tests,
    root_scripts,
    shaky,
    without_scripts,
)
from solver.harness.select_report import summarize
from solver.harness.select_run import SelectResult, choose, choose_judged
from solver.selection.llm_judge import LLMJudge
from solver.types import Ledger
from tasks.diffs import render_file_diff
from tasks.load import load_tasks
from tasks.model import Task
from tests.fakellm import FakeLLM, When, fake_llm_fixture  # noqa: F401

BUNDLED = Path(__file__).parents[1] / "tasks" / "bundled"
P, F = Outcome.PASSED, Outcome.FAILED


def test_normalized_patches_ignore_context_and_spacing():
    one = render_file_diff("pkg/a.py", "x = 1\ny = 2\nz = 3\n", "x = 1\ny = 5\nz = 3\n")
    two = render_file_diff("pkg/a.py", "q = 0\ny = 2\n", "q = 0\ny  =  5\n".replace("  ", " "))
    other = render_file_diff("pkg/a.py", "y = 2\n", "y = 6\n")
    assert normalized(one) == normalized(two) != normalized(other)
    pool = Pool("i", [Sourced("i", "a", other, 0), Sourced("i", "b", one, 1),
                      Sourced("i", "c", two, 2)])
    assert [c.source for c in pool.distinct()] == ["a", "b"]
    assert majority(pool) is not None
    assert majority(pool).source == "b"  # type: ignore[union-attr]


def test_pools_read_prediction_files_and_run_directories(tmp_path: Path):
    patch = render_file_diff("m.py", "a\n", "b\n")
    rows = [{"instance_id": "x-1", "model_name_or_path": "sys-a", "model_patch": patch},
            {"instance_id": "x-2", "model_name_or_path": "sys-a", "model_patch": ""},
            "not json"]
    first = tmp_path / "a.jsonl"
    first.write_text("\n".join(r if isinstance(r, str) else json.dumps(r) for r in rows) + "\n")
    run = tmp_path / "run"
    run.mkdir()
    (run / "predictions.jsonl").write_text(json.dumps(
        {"instance_id": "x-1", "model_name_or_path": "", "model_patch": patch}) + "\n")
    solved = tmp_path / "solved"  # a run with trajectories: every plausible candidate counts
    (solved / "trajectories" / "x-1").mkdir(parents=True)
    lines = [{"diff": patch, "verdict": {"plausible": True}},
             {"diff": "other", "verdict": {"plausible": False}},
             {"diff": patch + " ", "verdict": {"plausible": True}}]
    (solved / "trajectories" / "x-1" / "candidates.jsonl").write_text(
        "".join(json.dumps(line) + "\n" for line in lines))
    bench = tmp_path / "bench"  # `solver bench search --trajectories`: <id>/<cell>.jsonl
    (bench / "x-1").mkdir(parents=True)
    (bench / "x-1" / "8x3.jsonl").write_text(json.dumps(lines[0]) + "\n")
    pools, problems = load_pools([first, run, solved, bench])
    assert set(pools) == {"x-1"}  # empty patches are no candidates
    assert [(c.source, c.place) for c in pools["x-1"].candidates] == [
        ("sys-a", 0), ("run", 1), ("solved", 2), ("solved", 2), ("bench", 3)]
    assert len(pools["x-1"].distinct()) == 1
    assert len(problems) == 1
    assert "a.jsonl:3" in problems[0]
    (tmp_path / "empty").mkdir()
    with pytest.raises(PoolError, match="without predictions.jsonl"):
        load_pools([tmp_path / "empty"])


def record(votes: int, regression: dict[str, Outcome], reproduction: dict[str, Outcome],
           resolved: bool, patch: str = "p"
           ) -> Record:
    return Record(sources=[f"s{votes}"], places=[0], votes=votes, patch=patch, code=patch,
                  regression=regression, reproduction=reproduction, resolved=resolved)


def test_the_pick_follows_the_evidence_and_the_baselines_do_not():
    fix = render_file_diff("m.py", "a = 1\n", "a = 2\n")
    wrong = render_file_diff("m.py", "a = 1\n", "a = 3\n")
    records = [record(2, {"t1": F, "t2": P}, {"0::r": P}, False, wrong),
               record(1, {"t1": P, "t2": P}, {"0::r": P}, True, fix)]
    picked, bracket = choose(records, ("regression", "reproduction"))
    assert picked == 1
    assert bracket
    result = SelectResult(instance_id="x", protocol="issue", records=records, selected=picked)
    summary = summarize([result], ["s2", "s1"])
    assert (summary["oracle"], summary["selected"], summary["majority"]) == (1, 1, 0)
    assert summary["random"] == pytest.approx(0.33, abs=0.01)
    assert summary["selection_accuracy"] == 1.0
    assert summary["ablation"]["without regression"] == 0  # the signal that earned it


def test_regression_files_are_the_tests_importing_the_changed_modules(tmp_path: Path):
    (tmp_path / "pkg").mkdir()
    (tmp_path / "tests").mkdir()
    (tmp_path / "tests" / "test_a.py").write_text("from pkg.a import f\n")
    (tmp_path / "tests" / "test_b.py").write_text("import pkg\n")
    (tmp_path / "tests" / "test_c.py").write_text("import os\n")
    assert importing_tests(tmp_path, {"pkg/a.py"}) == ["tests/test_a.py", "tests/test_b.py"]


@pytest.mark.docker
def test_select_picks_the_candidate_the_evidence_backs(docker_client, tmp_path: Path):
    task = next(t for t in load_tasks(BUNDLED).tasks if t.instance_id == "money-allocate")
    path = "moneyx/allocate.py"
    source = (BUNDLED / "money-allocate" / "repo" / path).read_text()
    fixed = source.replace("-= 1", "+= 1")
    # plausible on the failing test but drops the ratios check a passing test relies on
    lax = fixed.replace("    if not ratios or any(r < 0 for r in ratios) or sum(ratios) == 0:\n"
                        "        raise ValueError(\"ratios must be non-negative and not all zero\")"
                        "\n", "")
    assert lax != fixed
    repro = ("from moneyx import Money, split_evenly\n\n\ndef test_split_keeps_every_cent():\n"
             "    assert sum(p.amount for p in split_evenly(Money('10.00', 'USD'), 3)) == 10\n")
    script = ("from moneyx import Money, split_evenly\n"
              "print(split_evenly(Money('10.00', 'USD'), 3))\n")
    good = render_file_diff(path, source, fixed) + render_file_diff(
        "tests/test_repro.py", None, repro) + render_file_diff("reproduce.py", None, script)
    bad = render_file_diff(path, source, lax)
    files = []
    for name, patch in [("first", bad), ("second", bad), ("third", good)]:
        file = tmp_path / f"{name}.jsonl"
        file.write_text(json.dumps({"instance_id": task.instance_id, "model_name_or_path": name,
                                    "model_patch": patch}) + "\n")
        files += ["--candidates", str(file)]
    out = tmp_path / "sel"
    argv = [sys.executable, "-m", "solver.cli", "select", str(BUNDLED), *files,
            "--instances", task.instance_id, "--out", str(out), "--json"]
    done = subprocess.run(argv, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-2000:]
    summary = json.loads(done.stdout)["summary"]
    assert summary["protocol"] == "issue"
    assert (summary["oracle"], summary["selected"], summary["majority"], summary["first"]) == (
        1, 1, 0, 0)
    assert summary["per_source"] == {"first": 0, "second": 0, "third": 1}
    [prediction] = map(json.loads, (out / "predictions.jsonl").read_text().splitlines())
    assert prediction["selected_from"] == "third"
    assert prediction["model_patch"] == good
    [result] = map(json.loads, (out / "results.jsonl").read_text().splitlines())
    lax_record, good_record = result["records"]
    assert lax_record["votes"] == 2
    assert lax_record["resolved"] is False
    assert "failed" in lax_record["regression"].values()
    assert result["reproductions"][0]["failing_on_base"] == [
        "tests/test_repro.py::test_split_keeps_every_cent"]
    assert good_record["resolved"] is True
    # the reproduction script: its output changes from the base tree's with either candidate
    assert result["scripts"][0]["base_exit"] == 0
    assert "3.32" in result["scripts"][0]["base_output"]
    assert lax_record["scripts"] == good_record["scripts"] == {"1::reproduce.py": "passed"}
    # the behaviour probe traced calls of the changed function from the regression tests
    assert result["behaviour"]["functions"] == ["moneyx/allocate.py::allocate"]
    assert result["behaviour"]["base"]
    assert set(result["behaviour"]["outputs"]) == {"0", "1"}
    assert result["bracket"]
    assert (out / "report.html").read_text().count("<details") >= 1
    again = subprocess.run(argv, capture_output=True, text=True, timeout=120)
    assert again.returncode == 2
    assert "--resume" in json.loads(again.stdout)["error"]
    resumed = subprocess.run([*argv, "--resume"], capture_output=True, text=True, timeout=120)
    assert resumed.returncode == 0
    assert json.loads(resumed.stdout)["summary"]["selected"] == 1
    assert len((out / "results.jsonl").read_text().splitlines()) == 1


def test_reproduction_scripts_are_set_apart_from_the_fix():
    fix = render_file_diff("pkg/mod.py", "a = 1\n", "a = 2\n")
    script = render_file_diff("reproduce.py", None, "from pkg.mod import a\nprint(a)\n")
    setup = render_file_diff("setup.py", None, "import setuptools\n")
    edited = render_file_diff("run.py", "x\n", "y\n")  # an existing root file: part of the fix
    patch = fix + script + setup + edited
    assert [path for path, _ in root_scripts(patch)] == ["reproduce.py"]
    assert without_scripts(patch) == fix + setup + edited
    assert comparable("<obj at 0x7f3a2b> \n") == comparable("<obj at 0x55aa01>")


def test_a_model_judge_breaks_the_tie_seeing_the_issue_and_nothing_of_the_answer_key(
        fake_llm: FakeLLM):
    small = render_file_diff("pkg/a.py", "a = 1\n", "a = 2\n")
    large = render_file_diff("pkg/b.py", "b = 1\nc = 1\n", "b = 2\nc = 2\n")
    records = [record(1, {"t": P}, {}, False, small), record(1, {"t": P}, {}, True, large)]
    assert choose(records, ("regression",))[0] == 0  # without a model: the smaller diff
    a_first, b_first = (f"## Candidate 0\n\n```diff\ndiff --git a/pkg/{x}.py" for x in "ab")
    fake_llm.script([When(a_first, "CHOICE: 1"), When(b_first, "CHOICE: 0"),
                     When(a_first, "CHOICE: 1")])  # ballots rotate the order: [a b] [b a] [a b]
    task = Task(instance_id="x", problem_statement="b should be 2, not 1.",
                FAIL_TO_PASS=["tests/test_b.py::test_hidden_b"], hints_text="look at b",
                test_patch=render_file_diff("tests/test_b.py", None, "SECRET_ASSERTION = 1\n"))
    config = ModelConfig(model="openai/fake", api_base=fake_llm.base_url, api_key="sk-x",
                         retries=0, timeout_s=5.0)
    ledger = Ledger()
    picked, bracket = choose_judged(records, ("regression",), task,
                                    LLMJudge(ModelClient(config, Spend(ledger))))
    assert picked == 1
    assert bracket[0].reason.startswith("majority of votes (3 of 3")
    prompts = [r["messages"][-1]["content"] for r in fake_llm.requests]
    assert len(prompts) == 3
    assert all("b should be 2, not 1." in p for p in prompts)
    for secret in ("test_hidden_b", "SECRET_ASSERTION", "look at b"):
        assert not any(secret in p for p in prompts)
    assert ledger.calls == 3


def test_timeouts_and_missing_results_are_run_again_before_they_count():
    found = {"a": Outcome.PASSED, "b": Outcome.TIMEOUT, "c": Outcome.MISSING, "d": F}
    assert shaky(found) == ["b", "c"]


def test_a_resumed_run_attempts_again_what_ended_in_an_infrastructure_error(tmp_path: Path):
    from solver.harness.select_run import RESULTS, append_result, read_results

    append_result(tmp_path, SelectResult(instance_id="a", protocol="issue", error="SandboxError"))
    append_result(tmp_path, SelectResult(instance_id="b", protocol="issue", selected=0))
    append_result(tmp_path, SelectResult(instance_id="a", protocol="issue", selected=1))
    with (tmp_path / RESULTS).open("a") as fh:
        fh.write('{"instance_id": "c", "proto')  # a torn last line: c runs again
    found = {r.instance_id: r for r in read_results(tmp_path)}
    assert set(found) == {"a", "b"}
    assert found["a"].selected == 1  # the later attempt stands
    assert not found["a"].error
