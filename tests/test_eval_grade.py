"""`solver eval --predictions`: grade another system's patches, same report as a solver run."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tasks.load import load_tasks

pytestmark = pytest.mark.docker
BUNDLED = Path(__file__).parents[1] / "tasks" / "bundled"


def test_grading_predictions_writes_grades_and_the_report(docker_client, tmp_path: Path):
    tasks = sorted(load_tasks(BUNDLED).tasks, key=lambda t: t.instance_id)[:3]
    broken = "diff --git a/x.py b/x.py\n--- a/x.py\n+++ b/x.py\n@@ -1 +1 @@\n-a\n+b\n"
    patches = [tasks[0].patch, "", broken]
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
    report = json.loads((out / "report.json").read_text())
    assert report["summary"]["resolved"] == 1
    assert (out / "report.html").exists()
