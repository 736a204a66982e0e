"""ModelClient end to end: real litellm, real HTTP, against the scripted fake server."""

from __future__ import annotations

import logging
import time
from collections.abc import AsyncIterator

import pytest

from sandbox import verdict as verdicts
from solver.generators.llm import (
    BudgetExceeded,
    ModelCallFailed,
    ModelClient,
    ModelConfig,
    Spend,
    close_clients,
    load_model_config,
    render,
    verdict_context,
)
from solver.types import Ledger
from tests.fakellm import (
    FakeLLM,
    Malformed,
    Slow,
    Status,
    ToolCall,
    fake_llm_fixture,  # noqa: F401 - the fake_llm fixture
)

pytestmark = pytest.mark.anyio

HELLO = [{"role": "user", "content": "Say hello."}]


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"  # litellm runs on asyncio only


@pytest.fixture(autouse=True)
async def close_litellm_clients(anyio_backend: str) -> AsyncIterator[None]:
    """Close litellm's cached HTTP clients in the test's own event loop (no ResourceWarning)."""
    yield
    await close_clients()


def make_client(fake: FakeLLM, ledger: Ledger | None = None, **config: object) -> ModelClient:
    settings = {
        "model": "openai/fake-model",
        "api_base": fake.base_url,
        "api_key": "sk-test",
        "retries": 3,
        "backoff_s": 0.01,
        "max_backoff_s": 0.5,
        "timeout_s": 5.0,
    }
    settings.update(config)
    return ModelClient(ModelConfig.model_validate(settings), Spend(ledger or Ledger()))


async def test_plain_completion_counts_tokens(fake_llm: FakeLLM) -> None:
    ledger = Ledger()
    fake_llm.script(["Hello there, human."])
    completion = await make_client(fake_llm, ledger, temperature=0.3).complete(HELLO)
    assert completion.text == "Hello there, human."
    assert (completion.tokens_in, completion.tokens_out) == (3, 5)
    assert completion.cost_usd == 0.0
    assert "no price" in completion.cost_note
    assert (ledger.tokens_in, ledger.tokens_out, ledger.calls) == (3, 5, 1)
    body = fake_llm.requests[0]
    assert body["model"] == "fake-model"
    assert body["messages"] == HELLO
    assert body["temperature"] == 0.3


async def test_known_model_is_priced_from_local_map(fake_llm: FakeLLM) -> None:
    ledger = Ledger()
    fake_llm.script(["Hello."])
    client = make_client(fake_llm, ledger, model="openai/gpt-4o-mini")
    completion = await client.complete(HELLO, tag="cand-1")
    assert completion.cost_usd > 0
    assert completion.cost_note == ""
    assert ledger.cost_usd == pytest.approx(completion.cost_usd)
    assert ledger.per_candidate["cand-1"] == pytest.approx(completion.cost_usd)


async def test_rate_limit_is_retried_after_retry_after(fake_llm: FakeLLM) -> None:
    ledger = Ledger()
    fake_llm.script([Status(429, retry_after=0.2), "finally"])
    started = time.monotonic()
    completion = await make_client(fake_llm, ledger).complete(HELLO)
    assert completion.text == "finally"
    assert time.monotonic() - started >= 0.2
    assert len(fake_llm.requests) == 2
    assert completion.attempts == 2
    assert ledger.calls == 2


async def test_server_errors_are_retried(fake_llm: FakeLLM) -> None:
    fake_llm.script([Status(500), Status(503), "ok"])
    completion = await make_client(fake_llm).complete(HELLO)
    assert completion.text == "ok"
    assert len(fake_llm.requests) == 3


async def test_slow_answer_times_out_then_retries(fake_llm: FakeLLM) -> None:
    fake_llm.script([Slow(1.0, "too late"), "in time"])
    completion = await make_client(fake_llm, timeout_s=0.3).complete(HELLO)
    assert completion.text == "in time"
    assert len(fake_llm.requests) == 2


async def test_malformed_json_raises_a_handled_error(fake_llm: FakeLLM) -> None:
    fake_llm.script([Malformed()] * 3)
    with pytest.raises(ModelCallFailed) as failure:
        await make_client(fake_llm, retries=2).complete(HELLO)
    assert failure.value.attempts == 3
    assert len(fake_llm.requests) == 3
    fake_llm.script(["recovered"])
    assert (await make_client(fake_llm).complete(HELLO)).text == "recovered"


async def test_client_error_is_not_retried(fake_llm: FakeLLM) -> None:
    fake_llm.script([Status(400, message="bad request")])
    with pytest.raises(ModelCallFailed) as failure:
        await make_client(fake_llm).complete(HELLO)
    assert failure.value.status_code == 400
    assert len(fake_llm.requests) == 1


async def test_cost_cap_stops_before_any_request(fake_llm: FakeLLM) -> None:
    fake_llm.script(["never sent"])
    client = ModelClient(
        make_client(fake_llm).config, Spend(Ledger(cost_usd=1.0), max_cost_usd=1.0)
    )
    with pytest.raises(BudgetExceeded) as exceeded:
        await client.complete(HELLO)
    assert exceeded.value.what == "cost_usd"
    assert fake_llm.requests == []


async def test_token_cap_reached_by_a_call_stops_the_next(fake_llm: FakeLLM) -> None:
    fake_llm.script(["a long enough answer", "never sent"])
    ledger = Ledger()
    client = ModelClient(make_client(fake_llm).config, Spend(ledger, max_tokens=5))
    await client.complete(HELLO)
    with pytest.raises(BudgetExceeded, match="tokens"):
        await client.complete(HELLO)
    assert len(fake_llm.requests) == 1
    assert ledger.tokens >= 5


async def test_tool_call_is_parsed(fake_llm: FakeLLM) -> None:
    tool = {
        "type": "function",
        "function": {
            "name": "run_tests",
            "description": "Run tests by id.",
            "parameters": {"type": "object", "properties": {"ids": {"type": "array"}}},
        },
    }
    fake_llm.script([ToolCall("run_tests", {"ids": ["tests/test_a.py::test_x"]})])
    completion = await make_client(fake_llm).complete(HELLO, tools=[tool])
    assert completion.text == ""
    assert completion.finish_reasons == ("tool_calls",)
    (call,) = completion.tool_calls
    assert call.name == "run_tests"
    assert call.arguments == {"ids": ["tests/test_a.py::test_x"]}
    assert fake_llm.requests[0]["tools"][0]["function"]["name"] == "run_tests"


async def test_n_choices(fake_llm: FakeLLM) -> None:
    fake_llm.script(["one", "two", "three"])
    completion = await make_client(fake_llm).complete(HELLO, n=3, temperature=1.0)
    assert completion.texts == ("one", "two", "three")
    assert fake_llm.requests[0]["n"] == 3


async def test_failing_test_output_reaches_the_refine_prompt(fake_llm: FakeLLM) -> None:
    failure = verdicts.TestResult(
        test_id="tests/test_calc.py::test_div",
        outcome=verdicts.Outcome.FAILED,
        message="AssertionError: assert 0.5 == 2",
    )
    verdict = verdicts.Verdict(applied=True, tests={failure.test_id: failure}, log_tail="1 failed")
    prompt = render(
        "refine",
        issue="div is upside down",
        patch="diff --git a/calc.py b/calc.py\n",
        verdict=verdict_context(verdict),
        files=[{"path": "calc.py", "content": "def div(a, b):\n    return b / a\n"}],
        note="",
    )
    fake_llm.script(["fixed"])
    await make_client(fake_llm).complete([{"role": "user", "content": prompt}])
    sent = fake_llm.requests[0]["messages"][0]["content"]
    assert "tests/test_calc.py::test_div" in sent
    assert "AssertionError: assert 0.5 == 2" in sent


async def test_api_key_never_logged(fake_llm: FakeLLM, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    fake_llm.script([Status(500), Status(401, message="bad key sk-test")])
    client = make_client(fake_llm)
    with pytest.raises(ModelCallFailed) as failure:
        await client.complete(HELLO)
    assert "sk-test" not in caplog.text
    assert "sk-test" not in str(failure.value)
    assert "sk-test" not in repr(client.config)


def test_config_reads_the_environment_only_at_load() -> None:
    env = {"SOLVER_MODEL": "openai/x", "SOLVER_API_KEY": "sk-env", "SOLVER_MODEL_RETRIES": "1"}
    config = load_model_config({"temperature": 0.1, "api_base": None}, env=env)
    assert config.model == "openai/x"
    assert config.api_key is not None
    assert config.api_key.get_secret_value() == "sk-env"
    assert (config.retries, config.temperature, config.api_base) == (1, 0.1, None)
    assert load_model_config({"model": "openai/y"}, env={}).api_key is None
