"""The engine: the tournament on plain data, and `solver solve` end to end in Docker."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import docker
import pytest

from sandbox import Outcome, SandboxConfig, Session, Verdict
from sandbox import TestResult as Result
from sandbox.environment import prepare
from solver.feedback import Feedback
from solver.selection.evidence import Entry, changed_lines
from solver.selection.tournament import pick
from solver.types import Candidate
from tasks.load import load_task

ROOT = Path(__file__).resolve().parent.parent
TASK = ROOT / "tasks" / "bundled" / "money-allocate"


def diff_of(lines: int) -> str:
    body = "".join(f"-old {i}\n+new {i}\n" for i in range(lines))
    return f"diff --git a/m.py b/m.py\n--- a/m.py\n+++ b/m.py\n@@ -1,{lines} +1,{lines} @@\n{body}"


def entry(
    cid: str, lines: int = 1, passed: int = 2, round: int = 0
) -> tuple[Candidate, Verdict]:
    tests = {f"t{i}": Result(test_id=f"t{i}", outcome=Outcome.PASSED) for i in range(passed)}
    return (Candidate(id=cid, diff=diff_of(lines), round=round),
            Verdict(candidate_id=cid, applied=True, tests=tests))


def test_changed_lines_skips_file_headers():
    assert changed_lines(diff_of(3)) == 6


def test_pick_nothing_and_one():
    assert pick([]) == (None, [])
    only = entry("a")
    winner, bracket = pick([only])
    assert winner == only
    assert bracket == []


def winner_id(entries: list[Entry]) -> str:
    winner, _ = pick(entries)
    assert winner is not None
    return winner[0].id


def test_pick_prefers_more_tests_then_smaller_diff_then_earlier_round():
    assert winner_id([entry("a", passed=2), entry("b", passed=3, lines=9)]) == "b"
    assert winner_id([entry("a", lines=4), entry("b", lines=1)]) == "b"
    assert winner_id([entry("a", round=1), entry("b", round=0)]) == "b"


def test_pick_runs_a_recursive_bracket():
    field = [entry(f"c{i}", lines=10 - i) for i in range(7)]  # c6 is the smallest
    winner, bracket = pick(field, group_size=3)
    assert winner is not None
    assert winner[0].id == "c6"
    first = [m for m in bracket if m.level == 0]
    assert [m.members for m in first] == [["c0", "c1", "c2"], ["c3", "c4", "c5"], ["c6"]]
    assert [m.winner for m in first] == ["c2", "c5", "c6"]
    assert bracket[-1].level == 1
    assert bracket[-1].members == ["c2", "c5", "c6"]
    assert bracket[-1].winner == "c6"


@pytest.mark.docker
def test_solve_finds_a_correct_patch(docker_client: docker.DockerClient, tmp_path: Path):
    run = subprocess.run(
        [sys.executable, "-m", "solver.cli", "solve", str(TASK), "--width", "8", "--depth", "2",
         "--json", "--out", str(tmp_path)],
        capture_output=True, text=True, timeout=180, cwd=ROOT,
    )
    assert run.returncode == 0, run.stderr[-3000:]
    result = json.loads(run.stdout)
    assert result["plausible"] is True
    assert result["oracle"] is True
    assert result["patch"].startswith("diff --git")
    assert result["ledger"]["test_runs"] >= 2
    assert result["ledger"]["tokens"] == 0
    folder = tmp_path / "trajectories" / "money-allocate"
    lines = (folder / "candidates.jsonl").read_text().splitlines()
    assert len(lines) == result["candidates"]
    assert json.loads((folder / "localization.json").read_text())
    decisions = json.loads((folder / "result.json").read_text())["decisions"]
    assert decisions[0]["action"] == "localize"
    assert "money" in decisions[0]["reason"]
    assert decisions[1] == {**decisions[1], "round": 0, "action": "round", "reason": "width 8"}
    assert decisions[-1]["action"] == "stop" or len(decisions) == 3, decisions
    # The held-back tests, run here and not by the solver, tell the patch is correct.
    task = load_task(TASK)
    env = prepare(docker_client, task)
    extra = "\n".join(p for p in (task.test_patch, task.hidden_tests_patch) if p)
    with Session(docker_client, env.image, SandboxConfig(), env.spec) as session:
        hidden = session.verify(result["patch"], task.hidden_tests, extra_patch=extra)
    assert hidden.passed(task.hidden_tests), hidden.log_tail[-2000:]
    assert result["correct"] is True


class Scripted:
    """A generator that proposes fixed candidates, round by round."""

    name = "scripted"

    def __init__(self, rounds: list[list[Candidate]]) -> None:
        self.rounds = rounds

    async def propose(
        self, task: object, round: int, width: int, feedback: Feedback
    ) -> list[Candidate]:
        return self.rounds[round][:width] if round < len(self.rounds) else []


@pytest.mark.docker
def test_plausible_candidates_that_disagree_keep_the_search_going(
    docker_client: docker.DockerClient,
) -> None:
    """Two plausible fixes that behave differently are not 'enough': the planner searches on
    until two agree, and the tournament picks from the agreeing pair."""
    import anyio

    from sandbox import SandboxPool
    from solver.analysis.sources import read_source_files
    from solver.engine import Result as Solved
    from solver.engine import solve
    from solver.selection.prober import SandboxProbe
    from solver.types import Budget
    from tests.test_behaviour import PAGINATE, paginate_candidates

    task = load_task(PAGINATE)
    env = prepare(docker_client, task)
    c, a, b = paginate_candidates()
    generator = Scripted([[c, a], [b], [a]])

    async def run() -> Solved:
        async with SandboxPool(env.image, env.spec, SandboxConfig(capacity=2),
                               client=docker_client) as pool:
            probe = SandboxProbe(pool, read_source_files(task))
            return await solve(task, generator, pool, Budget(width=2, depth=3), probe=probe)

    result = anyio.run(run)
    assert result.rounds == 2
    actions = [(d.round, d.action) for d in result.decisions]
    assert (0, "continue") in actions
    assert actions[-1] == (1, "stop")
    assert "2 of 3 plausible candidates behave alike" in result.decisions[-1].reason
    assert result.winner in ("A", "B")
    assert result.behaviour is not None
    assert result.behaviour.clusters["A"] == result.behaviour.clusters["B"]
    assert result.correct is True
