"""The GitHub Action mirrors `solver ci` options; the example workflow keeps the safe split."""

from pathlib import Path

import yaml
from typer.main import get_command

from solver.cli import app

ROOT = Path(__file__).parents[1]


def test_action_inputs_mirror_the_ci_options():
    action = yaml.safe_load((ROOT / "action.yml").read_text())
    ci = get_command(app).commands["ci"]  # type: ignore[attr-defined]
    options = {opt.lstrip("-") for p in ci.params for opt in p.opts if opt.startswith("--")}
    mirrored = set(action["inputs"]) - {"path", "python-version"}
    assert mirrored <= options
    assert {"test-cmd", "install-cmd", "output", "width", "depth"} <= mirrored


def test_example_workflow_runs_untrusted_code_only_without_write_permissions():
    flow = yaml.safe_load((ROOT / "docs" / "examples" / "solver-fix.yml").read_text())
    jobs = flow["jobs"]
    assert jobs["propose"]["permissions"] == {"contents": "read"}
    writes = [name for name, job in jobs.items() if "write" in job["permissions"].values()]
    assert writes == ["open-pr"]
    steps = " ".join(str(s) for s in jobs["open-pr"]["steps"])
    assert "pytest" not in steps
    assert "solver ci" not in steps
