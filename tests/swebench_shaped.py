"""A SWE-bench-shaped task made from a bundled one: the issue text, the repository at its base,
and hidden grading tests that only a test patch adds (tests/test_hidden.py), as in SWE-bench.

money-allocate's held-back tests all fail on its base tree and pass with the gold patch, so they
serve as FAIL_TO_PASS; its own tests are PASS_TO_PASS.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BUNDLED = ROOT / "tasks" / "bundled" / "money-allocate"
INSTANCE = "acme__moneyx-1"


def make_swebench_shaped(folder: Path) -> Path:
    """A task folder under `folder`: task.json with FAIL_TO_PASS / PASS_TO_PASS of the hidden
    tests, test.patch adding them, gold.patch; no held-back tests of its own."""
    task = folder / INSTANCE
    shutil.copytree(BUNDLED, task)
    (task / "hidden.patch").rename(task / "test.patch")
    spec = json.loads((task / "task.json").read_text())
    spec.update(instance_id=INSTANCE, FAIL_TO_PASS=spec.pop("hidden_tests"),
                hints_text="The fix is to add one to each share instead of subtracting it.")
    (task / "task.json").write_text(json.dumps(spec, indent=1))
    return task


def base_repository_text(task: Path) -> str:
    """Every file of the repository at its base, joined: lines here are no leak."""
    return "\n".join(p.read_text() for p in sorted((task / "repo").rglob("*")) if p.is_file())
