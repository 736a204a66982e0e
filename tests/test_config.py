"""One typed configuration: flags > SOLVER_* > [tool.solver] > solver.toml > defaults; the
shared options on every solving command; `solver ci` stopping at a [tool.solver] spend cap."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import git
import pytest
from typer.testing import CliRunner

from solver.cli import app
from solver.config import ConfigError, GeneratorKind, load_config
from tests.fakellm import FakeLLM, ScriptItem, fake_llm_fixture  # noqa: F401

ROOT = Path(__file__).resolve().parent.parent
TASK = ROOT / "tasks" / "bundled" / "money-allocate"
SHARED_FLAGS = ("--width", "--depth", "--max-cost", "--max-tokens", "--max-candidates",
                "--temperature", "--agent-steps", "--test-timeout", "--generator", "--model",
                "--api-base")


@pytest.fixture
def clean_env(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    """No SOLVER_* variable of the developer's shell leaks into a test."""
    for name in list(os.environ):
        if name.startswith("SOLVER_"):
            monkeypatch.delenv(name)
    return monkeypatch


def write_project(folder: Path, table: str = "", solver_toml: str = "") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    if table:
        (folder / "pyproject.toml").write_text(f"[project]\nname = 'p'\n\n[tool.solver]\n{table}")
    if solver_toml:
        (folder / "solver.toml").write_text(solver_toml)
    return folder


def test_each_layer_wins_over_the_ones_below(clean_env, tmp_path: Path) -> None:
    project = write_project(tmp_path, table="width = 3\ndepth = 5\nmax_cost = 0.5\n",
                            solver_toml="width = 7\ndepth = 7\nmax_cost = 0.7\nagent_steps = 2\n")
    clean_env.setenv("SOLVER_DEPTH", "6")
    clean_env.setenv("SOLVER_MAX_COST", "0.6")
    config = load_config({"max_cost": 0.25, "width": None}, project)
    assert config.max_cost == 0.25  # flag over env, [tool.solver] and solver.toml
    assert config.depth == 6  # env over both files
    assert config.width == 3  # [tool.solver] over solver.toml; the unset flag sets nothing
    assert config.agent_steps == 2  # solver.toml over the default
    assert config.max_candidates == 200  # the default
    budget = config.budget()
    assert (budget.width, budget.depth, budget.max_cost_usd) == (3, 6, 0.25)


def test_defaults_without_files_or_variables(clean_env, tmp_path: Path) -> None:
    config = load_config({}, tmp_path)
    assert (config.width, config.depth, config.max_cost, config.test_timeout) == (8, 3, None, 10)
    assert config.kind is GeneratorKind.SEARCH
    assert config.sandbox().test_timeout_s == 10


def test_a_model_from_the_project_file_picks_the_llm_generator(clean_env, tmp_path) -> None:
    project = write_project(tmp_path, table='model = "openai/gpt-4o-mini"\n')
    assert load_config({}, project).kind is GeneratorKind.LLM
    assert load_config({"generator": "search"}, project).kind is GeneratorKind.SEARCH


def test_a_secret_in_a_file_is_refused_naming_the_file(clean_env, tmp_path) -> None:
    project = write_project(tmp_path, table='api_key = "sk-do-not-commit"\n')
    with pytest.raises(ConfigError, match=r"pyproject\.toml \[tool\.solver\]: `api_key`"):
        load_config({}, project)
    project = write_project(tmp_path / "other", solver_toml='openai_api_key = "sk-x"\n')
    with pytest.raises(ConfigError, match=r"solver\.toml: `openai_api_key` looks like a secret"):
        load_config({}, project)


def test_unknown_keys_and_bad_values_say_where(clean_env, tmp_path) -> None:
    with pytest.raises(ConfigError, match="unknown key `widht`"):
        load_config({}, write_project(tmp_path / "a", table="widht = 3\n"))
    (tmp_path / "b").mkdir()
    (tmp_path / "b" / "solver.toml").write_text("width = \n")
    with pytest.raises(ConfigError, match=r"b/solver\.toml: not valid TOML"):
        load_config({}, tmp_path / "b")
    clean_env.setenv("SOLVER_WIDTH", "zero")
    with pytest.raises(ConfigError, match="--width / SOLVER_WIDTH"):
        load_config({}, tmp_path)
    clean_env.delenv("SOLVER_WIDTH")
    with pytest.raises(ConfigError, match="llm generator needs a model"):
        load_config({"generator": "llm"}, tmp_path)


@pytest.mark.parametrize("command", [["solve"], ["ci"], ["eval", "run"]])
def test_every_solving_command_offers_the_shared_options(command: list[str]) -> None:
    shown = CliRunner().invoke(app, [*command, "--help"], terminal_width=200)
    assert shown.exit_code == 0, shown.output
    for flag in SHARED_FLAGS:
        assert flag in shown.output, (command, flag)
    if command == ["ci"]:  # rich markup would swallow the table's name
        assert "pyproject.toml ([tool.solver])" in shown.output


def test_a_bad_project_file_is_a_usage_error(clean_env, tmp_path) -> None:
    project = write_project(tmp_path, table='api_key = "sk-x"\n')
    done = CliRunner().invoke(app, ["ci", str(project)])
    assert done.exit_code == 2
    assert "sk-x" not in done.output


def wrong_edit(new: str) -> str:
    """An edit that applies and still fails the test: the run goes on to refine it."""
    return (f"Try this.\n\nmoneyx/allocate.py\n```python\n<<<<<<< SEARCH\n"
            f"        shares[i % len(shares)] -= 1\n=======\n"
            f"        shares[i % len(shares)] {new}\n>>>>>>> REPLACE\n```\n")


@pytest.mark.docker
def test_ci_stops_calling_the_model_at_the_projects_cost_cap(
    docker_client, fake_llm: FakeLLM, tmp_path: Path
) -> None:
    """gpt-4o-mini has a price in litellm's local map: each call here costs about $0.0003, so
    the $0.0001 cap is passed by the first round's two calls (in flight together) and nothing
    after them asks the model; without the cap the same script makes seven calls (a
    distillation and the refinements of round 1)."""
    repo_dir = tmp_path / "checkout"
    shutil.copytree(TASK / "repo", repo_dir)
    (repo_dir / "pyproject.toml").write_text(
        "[tool.solver]\nmax_cost = 0.0001\ngenerator = \"llm\"\nmodel = \"openai/gpt-4o-mini\"\n"
        "width = 2\ndepth = 3\n")
    with git.Repo.init(repo_dir) as repo:
        repo.git.add(A=True)
        actor = git.Actor("dev", "dev@example.com")
        repo.index.commit("initial", author=actor, committer=actor)
    answers: list[ScriptItem] = [wrong_edit("-= 0"), wrong_edit("-= 2"), *["No idea."] * 20]
    fake_llm.script(answers)
    env = {k: v for k, v in os.environ.items() if not k.startswith("SOLVER_")}
    env |= {"SOLVER_API_BASE": fake_llm.base_url, "SOLVER_API_KEY": "sk-test",
            "SOLVER_MODEL_BACKOFF": "0.01", "LITELLM_LOCAL_MODEL_COST_MAP": "True"}
    done = subprocess.run([sys.executable, "-m", "solver.cli", "ci", str(repo_dir), "--json"],
                          capture_output=True, text=True, timeout=300, cwd=ROOT, env=env)
    assert done.returncode == 1, done.stderr[-3000:]
    summary = json.loads(done.stdout)
    assert len(fake_llm.requests) == 2  # the first round's two trajectories, then the cap
    assert summary["ledger"]["calls"] == 2
    assert summary["ledger"]["cost_usd"] >= 0.0001
