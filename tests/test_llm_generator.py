"""LLMGenerator on plain files: real litellm over HTTP against the fake server, no Docker."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from sandbox import Outcome, Verdict
from sandbox import TestResult as Result
from solver.analysis import Location
from solver.feedback import Feedback
from solver.generators.llm import ModelClient, ModelConfig, Spend, close_clients
from solver.generators.llm.generator import LLMGenerator
from solver.generators.llm.record import Recorder
from solver.types import Ledger
from tasks.model import Task
from tests.fakellm import FakeLLM, ScriptItem, Status, When, fake_llm_fixture  # noqa: F401

pytestmark = pytest.mark.anyio

FILES = {"calc.py": "def div(a, b):\n    return b / a\n\n\ndef mul(a, b):\n    return a * b\n"}
TASK = Task(instance_id="calc-div", problem_statement="div(a, b) returns b / a.",
            FAIL_TO_PASS=["tests/test_calc.py::test_div"])


def answer(old: str, new: str, why: str = "Swap the operands.") -> str:
    return (f"{why}\n\ncalc.py\n```python\n<<<<<<< SEARCH\n{old}\n=======\n{new}\n"
            ">>>>>>> REPLACE\n```\n")


RIGHT = answer("    return b / a", "    return a / b")
ALSO_RIGHT = answer("return b / a", "return a / b", "The operands are swapped.")  # same diff
WRONG = answer("    return b / a", "    return b // a", "Integer division.")


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture(autouse=True)
async def close_litellm_clients(anyio_backend: str) -> AsyncIterator[None]:
    yield
    await close_clients()


def make_generator(
    fake: FakeLLM, max_tokens: int | None = None
) -> tuple[LLMGenerator, Ledger]:
    config = ModelConfig(model="openai/fake", api_base=fake.base_url, api_key="sk-unit-secret",
                         retries=2, backoff_s=0.01, timeout_s=5.0)
    ledger = Ledger()
    client = ModelClient(config, Spend(ledger, max_tokens=max_tokens))
    locations = [Location("calc.py", 2, 1.0, "traceback"), Location("calc.py", 6, 0.3, "ochiai")]
    return LLMGenerator(client, FILES, locations, recorder=Recorder()), ledger


def failed(candidate_id: str, message: str) -> Verdict:
    test = Result(test_id=TASK.fail_to_pass[0], outcome=Outcome.FAILED, message=message)
    return Verdict(candidate_id=candidate_id, applied=True, tests={test.test_id: test},
                   log_tail="1 failed")


def last_prompt(body: dict[str, object]) -> str:
    return str(body["messages"][-1]["content"])  # type: ignore[index]


async def test_round_zero_plans_diversity_merges_retries_and_drops(fake_llm: FakeLLM) -> None:
    fake_llm.script([
        When("root-cause:", RIGHT),
        When("spec-first:", ALSO_RIGHT),
        When("second-suspect:", answer("    return x / y", "    return y / x")),
        When("matches no lines", WRONG),
        When("minimal:", "I would rather not say."),
    ])
    generator, ledger = make_generator(fake_llm)
    candidates = await generator.propose(TASK, 0, 4, Feedback())
    assert sorted(c.id for c in candidates) == ["llm-r0-t0", "llm-r0-t2"]
    merged = next(c for c in candidates if c.id == "llm-r0-t0")
    assert "[also t1]" in merged.note
    assert "+    return a / b" in merged.diff
    prompts = [last_prompt(r) for r in fake_llm.requests]
    firsts = [p for p in prompts if p.startswith("# Issue")]
    assert len({p.split("Approach for this attempt:")[1] for p in firsts}) >= 4
    assert any("Start from calc.py:6 in mul" in p for p in firsts)  # a second hypothesis first
    types = [e["type"] for e in generator.events]
    assert types.count("mismatch") == 1
    assert types.count("merge") == 1
    drops = [e for e in generator.events if e["type"] == "drop"]
    assert any("no SEARCH/REPLACE block" in d["reason"] for d in drops)
    spend = generator.recorder.ledger()
    assert spend["llm-r0-t2"]["calls"] == 2  # the answer and its mismatch retry
    assert spend["llm-r0-t0"]["calls"] == 2  # two trajectories, one candidate
    assert ledger.tokens == sum(s["tokens_in"] + s["tokens_out"] for s in spend.values())
    assert not any("sk-unit-secret" in str(e) for e in generator.events)


async def test_depth_refines_with_the_verdict_after_a_distilled_note(fake_llm: FakeLLM) -> None:
    fake_llm.script([WRONG])
    generator, _ = make_generator(fake_llm)
    (first,) = await generator.propose(TASK, 0, 1, Feedback())
    fake_llm.script(["Integer division is not the issue; the operands are swapped.",
                     answer("    return b // a", "    return a / b")])
    feedback = [(first, failed(first.id, "assert 0 == 2.0"))]
    (second,) = await generator.propose(TASK, 1, 1, Feedback.of(TASK, 0, feedback))
    distill, refine = fake_llm.requests[1:]
    assert "# Attempts that failed" in last_prompt(distill)
    assert "assert 0 == 2.0" in last_prompt(distill)
    text = last_prompt(refine)
    assert "# Your previous attempt" in text
    assert "assert 0 == 2.0" in text
    assert "the operands are swapped" in text
    assert "    return b // a" in text  # the files as the previous attempt left them
    assert second.parent_ids == (first.id,)
    assert "+    return a / b" in second.diff
    assert "b // a" not in second.diff  # the diff is against the base tree
    notes = [e for e in generator.events if e["type"] == "distill"]
    assert notes[0]["siblings"] == [first.id]


async def test_a_budget_cap_stops_new_calls(fake_llm: FakeLLM) -> None:
    fake_llm.script([WRONG, "note", RIGHT])
    generator, ledger = make_generator(fake_llm, max_tokens=10)
    (first,) = await generator.propose(TASK, 0, 1, Feedback())
    more = await generator.propose(
        TASK, 1, 1, Feedback.of(TASK, 0, [(first, failed(first.id, "assert 0"))]))
    assert more == []
    assert len(fake_llm.requests) == 1
    assert "budget exceeded: tokens" in generator.exhausted
    assert generator.events[-1]["type"] == "stop"
    assert ledger.tokens > 10


async def test_provider_errors_become_drops_not_crashes(fake_llm: FakeLLM) -> None:
    items: list[ScriptItem] = [Status(500), Status(500), Status(500),
                               Status(429, retry_after=0), RIGHT]
    fake_llm.script(items)
    generator, ledger = make_generator(fake_llm)
    (candidate,) = await generator.propose(TASK, 0, 1, Feedback())
    assert candidate.id == "llm-r0-t0"
    (drop,) = [e for e in generator.events if e["type"] == "drop"]
    assert "EndpointDown" in drop["reason"]  # a ModelCallFailed past its retries; it came back
    assert ledger.calls == 5


def test_text_actions_are_parsed_and_edits_are_not_actions() -> None:
    from solver.generators.llm.agent import parse_action

    action = parse_action('Looking first.\nACTION: search {"pattern": "def div"}')
    assert action is not None
    assert (action.name, action.arguments) == ("search", {"pattern": "def div"})
    assert parse_action(RIGHT + '\nACTION: list_dir {}') is None
    assert parse_action("ACTION: list_dir").arguments == {}  # type: ignore[union-attr]
    assert parse_action("no action here") is None
