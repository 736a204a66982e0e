"""The GitHub Action mirrors `solver ci` options; the example workflow keeps the safe split."""

import os
import re
import subprocess
import sys
from pathlib import Path

import git
import pytest
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


def test_no_expression_is_spliced_into_a_script():
    """Inputs reach scripts through env: only (GitHub's script-injection hardening)."""
    action = yaml.safe_load((ROOT / "action.yml").read_text())
    flow = yaml.safe_load((ROOT / "docs" / "examples" / "solver-fix.yml").read_text())
    steps = [*action["runs"]["steps"], *(s for job in flow["jobs"].values() for s in job["steps"])]
    scripts = [step["run"] for step in steps if "run" in step]
    assert scripts
    assert not [s for s in scripts if "${{" in s]


EXPRESSION = re.compile(r"\$\{\{\s*(.*?)\s*\}\}")


def expand(text: str, context: dict[str, dict[str, str]]) -> str:
    """`${{ a.b || c.d }}` as Actions expands it, for the names a composite action uses."""
    def value(match: re.Match[str]) -> str:
        for term in match.group(1).split("||"):
            scope, _, name = term.strip().partition(".")
            found = context.get(scope, {}).get(name, "")
            if found:
                return found
        return ""
    return EXPRESSION.sub(value, text)


def run_action(workspace: Path, inputs: dict[str, str], tmp_path: Path) -> dict[str, str]:
    """Every `run:` step of action.yml with bash, as a runner would: expressions expanded,
    GITHUB_OUTPUT / GITHUB_STEP_SUMMARY set. `uses:` steps (setup-python, upload) are the
    runner's; `pip` and `solver` are shims so the test's interpreter is not reinstalled."""
    action = yaml.safe_load((ROOT / "action.yml").read_text())
    given = {name: str(spec.get("default", "")) for name, spec in action["inputs"].items()}
    context = {"inputs": given | inputs, "github": {"action_path": str(ROOT)},
               "env": {}}
    shims = tmp_path / "shims"
    shims.mkdir()
    (shims / "pip").write_text("#!/bin/sh\necho \"pip (shim) $*\"\n")
    (shims / "solver").write_text(f'#!/bin/sh\nPYTHONPATH={ROOT} exec {sys.executable} '
                                  '-m solver.cli "$@"\n')
    (shims / "python").symlink_to(sys.executable)
    for shim in ("pip", "solver"):
        (shims / shim).chmod(0o755)
    outputs, summary = tmp_path / "output", tmp_path / "summary.md"
    outputs.touch()
    base_env = {**os.environ, "PATH": f"{shims}:{os.environ['PATH']}",
                "GITHUB_OUTPUT": str(outputs), "GITHUB_STEP_SUMMARY": str(summary)}
    for step in action["runs"]["steps"]:
        if "run" not in step:
            continue
        env = base_env | {k: expand(str(v), context) for k, v in step.get("env", {}).items()}
        done = subprocess.run(["bash", "-e", "-c", expand(step["run"], context)], cwd=workspace,
                              env=env, capture_output=True, text=True, timeout=600)
        assert done.returncode == 0, f"{step.get('name')}: {done.stderr[-3000:]}"
    lines = outputs.read_text().splitlines()
    return dict(line.split("=", 1) for line in lines if "=" in line) | {
        "summary": summary.read_text() if summary.exists() else ""}


@pytest.mark.docker
@pytest.mark.parametrize("output", ["patch", "branch"])
def test_the_action_fixes_a_failing_repo(docker_client, tmp_path: Path, output: str):
    from tests.test_ci import FAILING, make_repo

    repo_dir = make_repo(tmp_path)
    got = run_action(tmp_path, {"path": str(repo_dir), "output": output,
                                "test-cmd": "python -m pytest -q"}, tmp_path)
    assert got["fixed"] == "true"
    assert Path(got["patch-file"]) == repo_dir / "solver-fix.patch"
    assert Path(got["patch-file"]).exists()
    assert FAILING in got["summary"]
    if output == "branch":
        with git.Repo(repo_dir) as repo:
            assert got["branch"] in [h.name for h in repo.heads]
    else:
        assert got["branch"] == ""


@pytest.mark.docker
def test_the_action_reports_no_fix_as_not_fixed(docker_client, tmp_path: Path):
    from tests.test_ci import make_repo

    repo_dir = make_repo(tmp_path, fixed=True)
    got = run_action(tmp_path, {"path": str(repo_dir), "output": "branch"}, tmp_path)
    assert got["fixed"] == "false"
    assert "nothing to fix" in got["summary"]
