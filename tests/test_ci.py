"""`solver ci` end to end on a git repo made from a bundled task: patch file, branch mode,
exit codes, the Markdown summary (and $GITHUB_STEP_SUMMARY), installs, every error's shape."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import git
import pytest

pytestmark = pytest.mark.docker
TASK = Path(__file__).parents[1] / "tasks" / "bundled" / "money-allocate"
FAILING = "tests/test_allocate.py::test_split_uneven"


def make_repo(tmp_path: Path, fixed: bool = False) -> Path:
    repo_dir = tmp_path / "checkout"
    shutil.copytree(TASK / "repo", repo_dir)
    repo = git.Repo.init(repo_dir)
    if fixed:
        repo.git.apply(str(TASK / "gold.patch"))
    repo.git.add(A=True)
    actor = git.Actor("dev", "dev@example.com")
    repo.index.commit("initial", author=actor, committer=actor)
    repo.close()
    return repo_dir


def solver_ci(path: Path, *args: str, env: dict[str, str] | None = None):
    return subprocess.run(
        [sys.executable, "-m", "solver.cli", "ci", str(path), "--width", "8", "--depth", "2",
         *args], capture_output=True, text=True, timeout=300, env={**os.environ, **(env or {})})


def test_patch_mode_writes_a_patch_that_applies(docker_client, tmp_path: Path):
    repo_dir = make_repo(tmp_path)
    step_summary = tmp_path / "summary.md"
    done = solver_ci(repo_dir, env={"GITHUB_STEP_SUMMARY": str(step_summary)})
    assert done.returncode == 0, done.stderr[-2000:]
    assert FAILING in done.stdout
    assert "```diff" in done.stdout
    patch = repo_dir / "solver-fix.patch"
    assert patch.exists()
    subprocess.run(["git", "apply", "--check", str(patch)], cwd=repo_dir, check=True)
    assert FAILING in step_summary.read_text()


def test_branch_mode_leaves_the_current_branch_and_work_tree_alone(docker_client, tmp_path):
    repo_dir = make_repo(tmp_path)
    with git.Repo(repo_dir) as repo:
        head, branch = repo.head.commit.hexsha, repo.active_branch.name
    done = solver_ci(repo_dir, "--output", "branch", "--json")
    assert done.returncode == 0, done.stderr[-2000:]
    with git.Repo(repo_dir) as repo:
        assert repo.head.commit.hexsha == head
        assert repo.active_branch.name == branch
        fix = repo.heads[f"solver/fix-{head[:8]}"].commit
        assert fix.parents[0].hexsha == head
        changed = [d.a_path for d in fix.diff(fix.parents[0])]
        assert changed == ["moneyx/allocate.py"]
    data = json.loads(done.stdout)
    assert data["branch"] == f"solver/fix-{head[:8]}"
    assert (repo_dir / "solver-fix.patch").read_text() == data["patch"]  # never lost


def test_branch_mode_with_the_bug_uncommitted_commits_on_a_snapshot(docker_client, tmp_path):
    repo_dir = make_repo(tmp_path, fixed=True)
    subprocess.run(["git", "apply", "-R", str(TASK / "gold.patch")], cwd=repo_dir, check=True)
    (repo_dir / "NOTES.txt").write_text("uncommitted work\n")
    buggy = (repo_dir / "moneyx" / "allocate.py").read_text()
    with git.Repo(repo_dir) as repo:
        head = repo.head.commit
    done = solver_ci(repo_dir, "--output", "branch")
    assert done.returncode == 0, done.stderr[-2000:]
    assert "snapshot" in done.stderr
    with git.Repo(repo_dir) as repo:
        assert repo.head.commit == head
        fix = repo.heads[f"solver/fix-{head.hexsha[:8]}"].commit
        snapshot = fix.parents[0]
        assert snapshot.parents[0] == head
        assert {d.a_path for d in snapshot.diff(head)} == {"moneyx/allocate.py", "NOTES.txt"}
        assert [d.a_path for d in fix.diff(snapshot)] == ["moneyx/allocate.py"]
        assert repo.is_dirty()  # the user's changes stay where they were
    assert (repo_dir / "moneyx" / "allocate.py").read_text() == buggy


def test_nothing_failing_exits_zero(docker_client, tmp_path: Path):
    done = solver_ci(make_repo(tmp_path, fixed=True))
    assert done.returncode == 0, done.stderr[-2000:]
    assert "nothing to fix" in done.stdout




SIX_REPO = {
    "pyproject.toml": "[build-system]\nrequires = ['setuptools>=61']\n"
                      "build-backend = 'setuptools.build_meta'\n"
                      "[project]\nname = 'sixcalc'\nversion = '0.1'\ndependencies = ['six']\n"
                      "[project.optional-dependencies]\ntest = ['six']\n"
                      "[tool.setuptools]\npackages = ['sixcalc']\n",
    "requirements.txt": "six\n",
    "sixcalc/__init__.py": "import six\n\n\ndef add(a, b):\n    return a - b\n\n\n"
                           "def label(x):\n    return six.text_type(x)\n",
    "tests/test_calc.py": "from sixcalc import add, label\n\n\ndef test_add():\n"
                          "    assert add(2, 3) == 5\n\n\ndef test_label():\n"
                          "    assert label(1) == '1'\n",
}


def make_six_repo(tmp_path: Path, files: dict[str, str] = SIX_REPO) -> Path:
    """A project whose tests need a dependency from PyPI (six), with one bug committed."""
    repo_dir = tmp_path / "sixcalc"
    for name, text in files.items():
        (repo_dir / name).parent.mkdir(parents=True, exist_ok=True)
        (repo_dir / name).write_text(text)
    repo = git.Repo.init(repo_dir)
    repo.git.add(A=True)
    actor = git.Actor("dev", "dev@example.com")
    repo.index.commit("initial", author=actor, committer=actor)
    repo.close()
    return repo_dir


def test_detected_install_brings_the_dependencies(docker_client, tmp_path: Path):
    repo_dir = make_six_repo(tmp_path)
    done = solver_ci(repo_dir, "--json")
    assert done.returncode == 0, done.stderr[-3000:]
    assert ("install: `pip install -r requirements.txt && pip install -e '.[test]'` (from "
            "pyproject.toml (extra [test]); requirements.txt)") in done.stderr
    data = json.loads(done.stdout)
    assert data["failing"] == ["tests/test_calc.py::test_add"]
    assert "+    return a + b" in (repo_dir / "solver-fix.patch").read_text()


@pytest.mark.parametrize("command", ["pip install -e .",
                                     "python -m pip install -r requirements.txt"])
def test_explicit_install_cmd_runs_in_the_venv_on_a_copy(docker_client, tmp_path, command):
    repo_dir = make_six_repo(tmp_path)
    done = solver_ci(repo_dir, "--install-cmd", command)
    assert done.returncode == 0, done.stderr[-3000:]
    assert f"install: `{command}` (--install-cmd)" in done.stderr
    assert (repo_dir / "solver-fix.patch").exists()


def test_tests_running_an_installed_copy_are_an_environment_error(docker_client, tmp_path):
    """`pip install .` (not editable) puts a copy in site-packages that the tests import: no
    candidate could change what they run, so the run stops before searching and says why."""
    raising = {  # a src layout (`python -m pytest` puts the root on sys.path, not src/); the
        # bug raises in the library, so a traceback shows the path it ran from
        **{name: text for name, text in SIX_REPO.items() if not name.startswith("sixcalc/")},
        "pyproject.toml": SIX_REPO["pyproject.toml"].replace(
            "packages = ['sixcalc']", "package-dir = {'' = 'src'}"),
        "src/sixcalc/__init__.py": SIX_REPO["sixcalc/__init__.py"].replace(
            "return a - b", "return a + b.real()")}
    done = solver_ci(make_six_repo(tmp_path, raising), "--install-cmd", "pip install .",
                     "--json")
    data = expect_error(done, "site-packages/sixcalc`, an installed copy", "pip install -e .")
    assert data["exit_code"] == 2


FLIT_REPO = {
    **{name: text for name, text in SIX_REPO.items() if name != "pyproject.toml"},
    "pyproject.toml": "[build-system]\nrequires = ['flit_core>=3.9,<4']\n"
                      "build-backend = 'flit_core.buildapi'\n"
                      "[project]\nname = 'sixcalc'\nversion = '0.1'\ndescription = 'x'\n"
                      "license = {file = 'LICENSE'}\ndependencies = ['six']\n"
                      "[project.optional-dependencies]\ntests = ['six']\n",
    "LICENSE": "MIT\n",
}


def test_a_build_that_zips_the_tree_installs(docker_client, tmp_path: Path):
    """flit_core zips LICENSE into the editable wheel, and ZIP stores no time before 1980:
    the tree reaches the build with a time it can store (marshmallow, issue 17)."""
    done = solver_ci(make_six_repo(tmp_path, FLIT_REPO), "--json")
    assert done.returncode == 0, done.stderr[-3000:]
    assert "pip install -e '.[tests]'` (from pyproject.toml" in done.stderr
    assert json.loads(done.stdout)["failing"] == ["tests/test_calc.py::test_add"]


def expect_error(done: subprocess.CompletedProcess[str], *needles: str) -> dict[str, Any]:
    """Exit 2, one JSON object with `error` and `exit_code`, no traceback."""
    assert done.returncode == 2, done.stderr[-3000:]
    data: dict[str, Any] = json.loads(done.stdout)
    assert data["exit_code"] == 2
    for needle in needles:
        assert needle in data["error"], data["error"]
    assert "Traceback (most recent call last)" not in done.stderr  # a test may print its own
    return data


def test_a_missing_dependency_is_an_environment_error_not_a_failing_test(docker_client, tmp_path):
    done = solver_ci(make_six_repo(tmp_path), "--install-cmd", "none", "--json")
    expect_error(done, "cannot import `six`", "--install-cmd")


def test_a_failed_install_is_exit_two_with_its_last_lines(docker_client, tmp_path: Path):
    summary = tmp_path / "summary.md"
    done = solver_ci(make_six_repo(tmp_path), "--install-cmd", "pip install ./missing-dir",
                     "--json", env={"GITHUB_STEP_SUMMARY": str(summary)})
    data = expect_error(done, "the install failed", "missing-dir")
    assert "tts-solver: error" in summary.read_text()
    assert data["summary"] in summary.read_text()


@pytest.mark.parametrize(("command", "needle"), [
    ("python -m pytest_nosuchplugin", "could not start"),
    ("pytest-nosuchcmd", "could not start"),
    ("python -m pytest --no-such-flag", "pytest exit 4"),
])
def test_a_test_command_that_cannot_run_is_exit_two(docker_client, tmp_path, command, needle):
    done = solver_ci(make_repo(tmp_path), "--test-cmd", command, "--json")
    expect_error(done, needle, command)


def test_unittest_commands_run_through_pytest(docker_client, tmp_path: Path):
    done = solver_ci(make_repo(tmp_path), "--test-cmd", "python -m unittest -v", "--json")
    assert done.returncode == 0, done.stderr[-3000:]
    assert json.loads(done.stdout)["failing"] == [FAILING]


def test_usage_errors_print_json_before_any_search(tmp_path: Path):
    summary = tmp_path / "summary.md"
    plain = tmp_path / "plain"
    shutil.copytree(TASK / "repo", plain)
    for args in ([str(tmp_path / "missing")], [str(plain), "--output", "branch"],
                 [str(plain), "--test-cmd", "nosuchcmd"]):
        started = time.monotonic()
        done = subprocess.run([sys.executable, "-m", "solver.cli", "ci", *args, "--json"],
                              capture_output=True, text=True, timeout=60,
                              env={**os.environ, "GITHUB_STEP_SUMMARY": str(summary)})
        expect_error(done)
        assert time.monotonic() - started < 30
    assert summary.read_text().count("tts-solver: error") == 3
    assert not (plain / "solver-fix.patch").exists()


def test_no_fix_never_points_at_a_trajectory_that_was_not_written(docker_client, tmp_path):
    repo_dir = make_repo(tmp_path)
    test_file = repo_dir / "tests" / "test_allocate.py"
    test_file.write_text(test_file.read_text() + "\n\ndef test_impossible():\n"
                         "    from moneyx import money\n"
                         "    assert hasattr(money, 'feature_nobody_wrote')\n")
    done = solver_ci(repo_dir, "--width", "1", "--depth", "1")
    assert done.returncode == 1
    assert "no fix found" in done.stdout
    assert "trajectory" not in done.stdout
    assert not (repo_dir / "solver-fix.patch").exists()


def test_ctrl_c_says_what_was_cleaned_up(docker_client, tmp_path: Path):
    run_id = f"ctrlc{os.getpid()}"
    proc = subprocess.Popen(
        [sys.executable, "-m", "solver.cli", "ci", str(make_repo(tmp_path)), "--json",
         "--width", "8", "--depth", "3"], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        text=True, env={**os.environ, "SOLVER_RUN_ID": run_id})
    assert proc.stderr is not None
    for line in proc.stderr:
        if "solving" in line:
            break
    time.sleep(1.0)  # inside the search
    proc.send_signal(signal.SIGINT)
    out, _ = proc.communicate(timeout=120)
    assert proc.returncode == 130
    data = json.loads(out)
    assert data["error"].startswith("interrupted; ")
    assert "container" in data["error"]
    left = docker_client.containers.list(all=True, filters={"label": f"solver.run={run_id}"})
    assert not left


def test_two_runs_on_one_engine_both_finish(docker_client, env_image, tmp_path: Path):
    """Both start-up reaps race over the same stale containers (what another run left), each
    removing what the other has just listed: both runs finish, and the stale ones are gone."""
    from sandbox import SandboxConfig
    from sandbox.container import labels_for, remove_container

    stale = [docker_client.containers.create(env_image, ["true"], labels=labels_for(
        SandboxConfig()) | {"solver.run": f"crashed-{n}", "solver.expires": "0"})
        for n in range(8)]
    dirs = [make_repo(tmp_path / str(n)) for n in range(2)]
    start = time.monotonic()
    try:
        procs = [subprocess.Popen(
            [sys.executable, "-m", "solver.cli", "ci", str(d), "--json"], stdout=subprocess.PIPE,
            stderr=subprocess.PIPE, text=True) for d in dirs]
        results = [p.communicate(timeout=600) for p in procs]
        survivors = [c.short_id for c in stale if c.id in {
            x.id for x in docker_client.containers.list(all=True, ignore_removed=True)}]
    finally:
        for container in stale:
            remove_container(container)
    print(f"\n[fault] two solver ci runs on one engine: {time.monotonic() - start:.1f}s")
    for proc, (out, errors) in zip(procs, results, strict=True):
        assert proc.returncode == 0, errors[-3000:]
        assert json.loads(out)["plausible"] is True
    assert survivors == []  # the runs' reaps removed every stale container
