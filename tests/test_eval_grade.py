"""`solver eval --predictions`: grade another system's patches, same report as a solver run."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from solver.harness.grade import harness_patches
from tasks.diffs import file_sections, render_file_diff
from tasks.load import load_tasks

BUNDLED = Path(__file__).parents[1] / "tasks" / "bundled"
REPRO = "def test_reproduces_the_issue():\n    assert 1 + 1 == 2\n"


def test_predictions_are_split_as_the_harness_applies_them():
    code = render_file_diff("pkg/mod.py", "a = 1\n", "a = 2\n")
    touched = render_file_diff("tests/test_mod.py", "x = 1\n", "x = 2\n")
    added = render_file_diff("tests/test_new.py", None, REPRO)
    config = render_file_diff("setup.cfg", "[x]\n", "[y]\n")
    test_patch = render_file_diff("tests/test_mod.py", "x = 1\n", "x = 3\n")
    candidate, tests = harness_patches(code + touched + added + config, test_patch)
    assert candidate == code
    # the prediction's edit of a file the test patch touches is reset (dropped); its other test
    # and configuration edits run before the test patch
    assert [path for path, _ in file_sections(tests)] == [
        "tests/test_new.py", "setup.cfg", "tests/test_mod.py"]
    assert tests.endswith(test_patch)
    assert file_sections(code + touched)[1] == ("tests/test_mod.py", touched)


@pytest.mark.docker


def test_grading_predictions_writes_grades_and_the_report(docker_client, tmp_path: Path):
    tasks = sorted(load_tasks(BUNDLED).tasks, key=lambda t: t.instance_id)[:4]
    broken = "diff --git a/x.py b/x.py\n--- a/x.py\n+++ b/x.py\n@@ -1 +1 @@\n-a\n+b\n"
    with_test = tasks[3].patch + render_file_diff("tests/test_repro.py", None, REPRO)
    patches = [tasks[0].patch, "", broken, with_test]
    preds = tmp_path / "preds.jsonl"
    preds.write_text("".join(
        json.dumps({"instance_id": t.instance_id, "model_name_or_path": "other",
                    "model_patch": p}) + "\n" for t, p in zip(tasks, patches, strict=True)))
    out = tmp_path / "graded"
    done = subprocess.run(
        [sys.executable, "-m", "solver.cli", "eval", str(BUNDLED), "--predictions", str(preds),
         "--out", str(out)], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    lines = (out / "grades.jsonl").read_text().splitlines()
    grades = {g["instance_id"]: g for g in map(json.loads, lines)}
    assert grades[tasks[0].instance_id]["status"] == "resolved"
    assert grades[tasks[0].instance_id]["fail_to_pass"]["success"] == tasks[0].fail_to_pass
    assert grades[tasks[1].instance_id]["status"] == "empty"
    assert grades[tasks[2].instance_id]["status"] == "patch_failed"
    assert grades[tasks[2].instance_id]["reason"]  # why it failed, always
    # a prediction that also adds a test is graded as the harness grades it, not refused
    assert grades[tasks[3].instance_id]["status"] == "resolved"
    report = json.loads((out / "report.json").read_text())
    assert report["summary"]["resolved"] == 2
    assert (out / "report.html").exists()
