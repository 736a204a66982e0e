"""The LLM judge in the tournament: real litellm over HTTP against the scripted fake server."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from sandbox import Outcome, Verdict
from sandbox import TestResult as Result
from solver.generators.llm import ModelClient, ModelConfig, Spend, close_clients
from solver.generators.llm.record import Recorder
from solver.selection.behaviour import Behaviour, ProbeInput
from solver.selection.evidence import Entry, Evidence
from solver.selection.llm_judge import LLMJudge
from solver.selection.tournament import select
from solver.types import Candidate, Ledger
from tasks.model import Task
from tests.fakellm import FakeLLM, Malformed, When, fake_llm_fixture  # noqa: F401

pytestmark = pytest.mark.anyio
TASK = Task(instance_id="judge", problem_statement="clamp() returns values above the limit.",
            FAIL_TO_PASS=["tests/test_x.py::test_clamp"])


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture(autouse=True)
async def close_litellm_clients(anyio_backend: str) -> AsyncIterator[None]:
    yield
    await close_clients()


def entry(path: str, lines: int) -> Entry:
    body = "".join(f"-old {i}\n+new {i}\n" for i in range(lines))
    diff = (f"diff --git a/{path} b/{path}\n--- a/{path}\n+++ b/{path}\n"
            f"@@ -1,{lines} +1,{lines} @@\n")
    cid = path.removesuffix(".py")
    test = Result(test_id=TASK.fail_to_pass[0], outcome=Outcome.PASSED)
    return (Candidate(id=cid, diff=diff + body),
            Verdict(candidate_id=cid, applied=True, tests={test.test_id: test}))


FIELD = [entry("a.py", 1), entry("b.py", 3), entry("c.py", 2)]  # a is the smallest


def shown_first(path: str) -> str:
    """Text of a judge prompt whose candidate 0 is `path`'s patch (samples rotate the order)."""
    return f"## Candidate 0\n\n```diff\ndiff --git a/{path}"


def make_judge(fake: FakeLLM, retries: int = 2) -> tuple[LLMJudge, Ledger]:
    config = ModelConfig(model="openai/fake", api_base=fake.base_url, api_key="sk-unit-secret",
                         retries=retries, backoff_s=0.01, timeout_s=5.0)
    ledger = Ledger()
    return LLMJudge(ModelClient(config, Spend(ledger)), recorder=Recorder()), ledger


async def test_the_majority_of_samples_wins_over_the_smaller_diff(fake_llm: FakeLLM) -> None:
    fake_llm.script([
        When(shown_first("a.py"), "b handles the limit.\nCHOICE: 1"),  # [a, b, c] -> b
        When(shown_first("b.py"), "CHOICE: 0"),  # [b, c, a] -> b
        When(shown_first("c.py"), "CHOICE: 0"),  # [c, a, b] -> c
    ])
    judge, ledger = make_judge(fake_llm)
    winner, (match,) = await select(TASK, FIELD, [judge], votes=3)
    assert winner is not None
    assert winner[0].id == "b"
    assert match.votes == {"a": 0, "b": 2, "c": 1}
    assert match.reason == "majority of votes (2 of 3: llm)"
    assert len(fake_llm.requests) == 3
    assert {r["temperature"] for r in fake_llm.requests} == {0.7}
    prompt = fake_llm.requests[0]["messages"][-1]["content"]
    assert "clamp() returns values above the limit." in prompt
    assert "Evidence: 1 of 1 tests run pass; 2 changed lines in 1 file(s)" in prompt
    assert ledger.calls == 3
    assert ledger.tokens > 0
    assert judge.recorder.ledger()["judge"]["calls"] == 3
    answers = [e for e in judge.recorder.events if e["type"] == "answer"]
    assert sorted(e["choice"] for e in answers) == ["b", "b", "c"]
    assert not any("sk-unit-secret" in str(e) for e in judge.recorder.events)


async def test_malformed_answers_abstain_and_a_tie_falls_to_execution(fake_llm: FakeLLM) -> None:
    fake_llm.script([
        When(shown_first("a.py"), "CHOICE: 1"),  # b
        When(shown_first("b.py"), "CHOICE: 1"),  # c
        When(shown_first("c.py"), "Both look fine to me."),  # no CHOICE: abstains
    ])
    judge, _ = make_judge(fake_llm)
    winner, (match,) = await select(TASK, FIELD, [judge], votes=3)
    assert winner is not None
    assert winner[0].id == "c"  # b and c one vote each; c has the smaller diff
    assert match.reason == "tied votes (1 each); fewer changed lines (4 vs 6)"
    assert [b.reason for b in match.ballots if b.choice is None] == [
        "malformed answer (no valid CHOICE line)"]


async def test_failed_calls_abstain(fake_llm: FakeLLM) -> None:
    fake_llm.script([Malformed()])  # then the script is empty: every other call gets a 400
    judge, _ = make_judge(fake_llm, retries=0)
    winner, (match,) = await select(TASK, FIELD, [judge], votes=3)
    assert winner is not None
    assert winner[0].id == "a"
    assert match.reason == "no usable vote; fewer changed lines (2 vs 4)"
    assert all(b.choice is None and b.reason.startswith("no answer") for b in match.ballots)


async def test_the_model_sees_only_the_contenders_with_their_evidence(fake_llm: FakeLLM) -> None:
    data = Behaviour(functions=["x.py::clamp"], clusters={"a": "b1", "b": "b0", "c": "b0"},
                     inputs=[])
    fake_llm.script([When(shown_first("b.py"), "CHOICE: 0"),  # [b, c] -> b
                     When(shown_first("c.py"), "CHOICE: 1")])  # [c, b] -> b
    judge, _ = make_judge(fake_llm)
    winner, (match,) = await select(TASK, FIELD, [judge], votes=2, behaviour=data)
    assert winner is not None
    assert winner[0].id == "b"
    assert match.reason == ("largest behaviour cluster (2 of 3); then majority of votes "
                            "(2 of 2: llm)")
    prompt = fake_llm.requests[0]["messages"][-1]["content"]
    assert "diff --git a/a.py" not in prompt
    assert "it behaves like 2 of the 3 plausible candidates" in prompt
    assert "from 0 to 1" in prompt
    fake_llm.requests.clear()
    fake_llm.script([When(shown_first("a.py"), "CHOICE: 0"), When(shown_first("a.py"), "CHOICE: 0"),
                     When(shown_first("c.py"), "CHOICE: 1")])  # the final [a, c]: a, a, a
    decided = Behaviour(functions=["x.py::clamp"], clusters={"a": "b0", "b": "b1", "c": "b0"})
    winner, (first, bye, final) = await select(TASK, FIELD, [judge], group_size=2,
                                               behaviour=decided)
    assert winner is not None
    assert winner[0].id == "a"
    assert (first.members, first.winner, bye.members) == (["a", "b"], "a", ["c"])
    assert first.reason == "largest behaviour cluster (2 of 3)"
    assert final.votes == {"a": 3, "c": 0}
    assert len(fake_llm.requests) == 3  # the execution evidence decided [a, b]: no call there
    assert not any("a/b.py" in r["messages"][-1]["content"] for r in fake_llm.requests)


async def test_each_ballot_is_one_sample_of_a_rotated_group(fake_llm: FakeLLM) -> None:
    fake_llm.script([
        When(shown_first("a.py"), "CHOICE: 2"),
        When(shown_first("b.py"), "CHOICE: 1"),
        When(shown_first("c.py"), "CHOICE: 0"),
    ])
    judge, _ = make_judge(fake_llm)
    ballots = await judge.ballots(TASK, FIELD, 3, Evidence.of(FIELD))
    assert [b.choice for b in ballots] == ["c", "c", "c"]  # index 2, 1, 0 of the rotations
    assert [b.judge for b in ballots] == ["llm"] * 3
    assert len(fake_llm.requests) == 3


async def test_the_prompt_shows_where_the_contenders_behave_differently(fake_llm: FakeLLM) -> None:
    data = Behaviour(
        functions=["x.py::clamp"],
        inputs=[ProbeInput(function="x.py::clamp", origin="test", call="clamp(5, 0, 3)"),
                ProbeInput(function="x.py::clamp", origin="variation", call="clamp(-5, 0, 3)")],
        outputs={"b": ["=3", "=0"], "c": ["=3", "!ValueError"]}, clusters={"b": "b0", "c": "b1"})
    fake_llm.script([When(shown_first("b.py"), "CHOICE: 1"),  # [b, c] -> c
                     When(shown_first("c.py"), "CHOICE: 0")])  # [c, b] -> c
    judge, _ = make_judge(fake_llm)
    winner, _ = await select(TASK, FIELD[1:], [judge], votes=2, behaviour=data)
    assert winner is not None
    assert winner[0].id == "c"
    prompt = fake_llm.requests[0]["messages"][-1]["content"]
    assert "where the others differ it gives clamp(-5, 0, 3) -> =0;" in prompt
    assert "where the others differ it gives clamp(-5, 0, 3) -> !ValueError;" in prompt
