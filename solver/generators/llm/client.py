"""The model client: one async `complete` call through litellm, with retries, caps and a ledger.

litellm is imported on first use, never at package import: it takes seconds to import and,
without `LITELLM_LOCAL_MODEL_COST_MAP=True`, fetches its price list from the network.
"""

from __future__ import annotations

import json
import logging
import os
import random
import sys
from collections.abc import Mapping, Sequence
from functools import cache
from types import ModuleType
from typing import Any

import anyio
from pydantic import BaseModel, ConfigDict, Field, SecretStr

from solver.generators.llm.errors import BudgetExceeded, EndpointDown, ModelCallFailed
from solver.types import Budget, Ledger

log = logging.getLogger(__name__)

Message = Mapping[str, Any]
"""One chat message in OpenAI form: {"role": ..., "content": ...} (tool messages too)."""

RETRYABLE_NAMES = (
    "RateLimitError",
    "Timeout",
    "APIConnectionError",
    "InternalServerError",
    "ServiceUnavailableError",
    "BadGatewayError",
)
ENV_NAMES = {
    "model": "SOLVER_MODEL",
    "api_base": "SOLVER_API_BASE",
    "api_key": "SOLVER_API_KEY",
    "temperature": "SOLVER_TEMPERATURE",
    "max_tokens": "SOLVER_MAX_TOKENS_PER_CALL",
    "timeout_s": "SOLVER_MODEL_TIMEOUT",
    "retries": "SOLVER_MODEL_RETRIES",
    "backoff_s": "SOLVER_MODEL_BACKOFF",
}


class ModelConfig(BaseModel):
    """Which model to call and how. Build it with `load_model_config` to read the environment."""

    model_config = ConfigDict(frozen=True)

    model: str
    """litellm model string, provider first: `openai/gpt-4o-mini`, `ollama/qwen2.5-coder`."""
    api_base: str | None = None
    """Endpoint of an OpenAI-compatible or local server; None: the provider's default."""
    api_key: SecretStr | None = Field(default=None, repr=False)
    """Key for `api_base`; None: litellm reads the provider's own variable (OPENAI_API_KEY...)."""
    temperature: float = 0.8
    """Default sampling temperature; `complete` may override it per call."""
    max_tokens: int = 4096
    """Most tokens one answer may hold (per call, not a budget)."""
    timeout_s: float = 120.0
    """Deadline of one HTTP attempt."""
    retries: int = 4
    """Further attempts after a rate limit, timeout, connection error or 5xx."""
    backoff_s: float = 1.0
    """First retry delay; doubled per attempt, with jitter, and never below a Retry-After."""
    max_backoff_s: float = 60.0
    """Longest wait between two attempts."""


def load_model_config(
    overrides: Mapping[str, Any] | None = None, env: Mapping[str, str] | None = None
) -> ModelConfig:
    """A ModelConfig from the environment (`ENV_NAMES`: SOLVER_MODEL, ...), then `overrides`.

    Overrides (command line, TOML) win over the environment; None values are ignored.
    """
    env = os.environ if env is None else env
    values: dict[str, Any] = {k: env[v] for k, v in ENV_NAMES.items() if env.get(v)}
    values.update({k: v for k, v in (overrides or {}).items() if v is not None})
    return ModelConfig.model_validate(values)


class ToolCall(BaseModel):
    """A function call the model asked for."""

    model_config = ConfigDict(frozen=True)

    id: str
    name: str
    arguments: dict[str, Any]
    """Parsed arguments; empty when `raw_arguments` is not a JSON object."""
    raw_arguments: str


class Completion(BaseModel):
    """What one `complete` call returned, and what it cost."""

    model_config = ConfigDict(frozen=True)

    texts: tuple[str, ...]
    """One text per choice (`n` of them); "" for a choice that only calls tools."""
    tool_calls: tuple[ToolCall, ...] = ()
    """Tool calls of the first choice."""
    finish_reasons: tuple[str, ...] = ()
    tokens_in: int = 0
    tokens_out: int = 0
    cost_usd: float = 0.0
    cost_note: str = ""
    """Why `cost_usd` is 0 when it is: litellm has no price for the model, or no usage came."""
    model: str = ""
    attempts: int = 1

    @property
    def text(self) -> str:
        return self.texts[0] if self.texts else ""


class Spend:
    """Adds every call to a Ledger and refuses new calls once a cap is reached.

    Calls running at once all pass the check before any of them is counted, so a cap may be
    overshot by what the calls in flight spend.
    """

    def __init__(
        self, ledger: Ledger, max_cost_usd: float | None = None, max_tokens: int | None = None
    ) -> None:
        self.ledger = ledger
        self.max_cost_usd = max_cost_usd
        self.max_tokens = max_tokens

    @classmethod
    def from_budget(cls, budget: Budget, ledger: Ledger) -> Spend:
        return cls(ledger, budget.max_cost_usd, budget.max_tokens)

    def check(self) -> None:
        """Raise BudgetExceeded when a cap is reached."""
        if self.max_cost_usd is not None and self.ledger.cost_usd >= self.max_cost_usd:
            raise BudgetExceeded("cost_usd", self.ledger.cost_usd, self.max_cost_usd)
        if self.max_tokens is not None and self.ledger.tokens >= self.max_tokens:
            raise BudgetExceeded("tokens", self.ledger.tokens, self.max_tokens)

    def count_attempt(self) -> None:
        self.ledger.calls += 1

    def add(self, completion: Completion, tag: str | None = None) -> None:
        """Count the tokens and cost of `completion`; `tag` (a candidate id) also gets the cost."""
        self.ledger.tokens_in += completion.tokens_in
        self.ledger.tokens_out += completion.tokens_out
        self.ledger.cost_usd += completion.cost_usd
        if tag is not None:
            spent = self.ledger.per_candidate.get(tag, 0.0)
            self.ledger.per_candidate[tag] = spent + completion.cost_usd


class ModelClient:
    """Calls one configured model. Safe to share between concurrent trajectories."""

    def __init__(self, config: ModelConfig, spend: Spend | None = None) -> None:
        self.config = config
        self.spend = spend or Spend(Ledger())

    async def complete(
        self,
        messages: Sequence[Message],
        *,
        temperature: float | None = None,
        n: int = 1,
        tools: Sequence[Mapping[str, Any]] | None = None,
        tag: str | None = None,
    ) -> Completion:
        """The model's answer to `messages`, retried on transient failures.

        Raises BudgetExceeded before any request when a cap is already reached, and
        ModelCallFailed when the provider refuses the request or keeps failing.
        """
        self.spend.check()
        response, attempts = await self._call_with_retries(
            self._request(messages, temperature, n, tools)
        )
        completion = to_completion(response, attempts)
        self.spend.add(completion, tag)
        return completion

    def _request(
        self,
        messages: Sequence[Message],
        temperature: float | None,
        n: int,
        tools: Sequence[Mapping[str, Any]] | None,
    ) -> dict[str, Any]:
        """Keyword arguments of one litellm.acompletion call."""
        cfg = self.config
        request: dict[str, Any] = {
            "model": cfg.model,
            "messages": [dict(m) for m in messages],
            "temperature": cfg.temperature if temperature is None else temperature,
            "max_tokens": cfg.max_tokens,
            "timeout": cfg.timeout_s,
            "max_retries": 0,  # retries are ours: counted, logged, and bounded by the caps
        }
        if n != 1:
            request["n"] = n
        if cfg.api_base:
            request["api_base"] = cfg.api_base
        if cfg.api_key is not None:
            request["api_key"] = cfg.api_key.get_secret_value()
        if tools:
            request["tools"] = [dict(t) for t in tools]
            # litellm (1.106) routes every call with tools through its MCP gateway check, which
            # imports the optional `mcp` package; plain function tools never need it.
            request["_skip_mcp_handler"] = True
        return request

    async def _call_with_retries(self, request: dict[str, Any]) -> tuple[Any, int]:
        litellm = load_litellm()
        retryable, provider_error = provider_errors(litellm)
        for attempt in range(1, self.config.retries + 2):
            self.spend.count_attempt()
            try:
                return await litellm.acompletion(**request), attempt
            except retryable as exc:
                if attempt > self.config.retries:
                    raise self._failure(exc, attempt, EndpointDown) from exc
                delay = self._backoff(attempt, exc)
                log.warning(
                    "model %s: %s on attempt %d, retrying in %.2fs",
                    self.config.model,
                    type(exc).__name__,
                    attempt,
                    delay,
                )
                await anyio.sleep(delay)
            except provider_error as exc:
                raise self._failure(exc, attempt) from exc
        raise AssertionError("unreachable: the loop returns or raises")

    def _backoff(self, attempt: int, exc: Exception) -> float:
        """Exponential backoff with jitter, at least the server's Retry-After, at most the cap."""
        base = self.config.backoff_s * 2 ** (attempt - 1)
        delay = max(base * random.uniform(0.5, 1.0), retry_after_s(exc) or 0.0)
        return float(min(delay, self.config.max_backoff_s))

    def _failure(
        self, exc: Exception, attempts: int, kind: type[ModelCallFailed] = ModelCallFailed
    ) -> ModelCallFailed:
        reason = f"{type(exc).__name__}: {redact(str(exc), self.config.api_key)}"
        log.error("model %s failed after %d attempt(s): %s", self.config.model, attempts, reason)
        return kind(self.config.model, attempts, reason, getattr(exc, "status_code", None))


async def close_clients() -> None:
    """Close the HTTP clients litellm caches for all ModelClients of the process; call it once,
    at the end of a run, in the event loop that made the calls. A no-op if no call was made."""
    if "litellm" not in sys.modules:
        return
    litellm = load_litellm()
    await litellm.close_litellm_async_clients()
    litellm.in_memory_llm_clients_cache.flush_cache()  # closed clients must not be reused


@cache
def load_litellm() -> ModuleType:
    """Import litellm once, offline, quiet."""
    os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")
    import litellm

    litellm.suppress_debug_info = True  # else every exception prints a banner to stdout
    return litellm


def provider_errors(litellm: ModuleType) -> tuple[tuple[type[Exception], ...], type[Exception]]:
    """The litellm exceptions worth a retry, and the base of all it maps provider errors to."""
    import openai  # litellm's own dependency; its OpenAIError is the common base

    retryable = tuple(getattr(litellm.exceptions, name) for name in RETRYABLE_NAMES)
    return retryable, openai.OpenAIError


def retry_after_s(exc: Exception) -> float | None:
    """Seconds from the Retry-After header of a failed response, where it gave one."""
    headers = getattr(exc, "litellm_response_headers", None)
    response = getattr(exc, "response", None)
    if headers is None and response is not None:
        headers = getattr(response, "headers", None)
    value = headers.get("retry-after") if headers is not None else None
    try:
        return float(value) if value is not None else None
    except ValueError:
        return None  # an HTTP date; the exponential backoff stands


def redact(text: str, key: SecretStr | None) -> str:
    secret = key.get_secret_value() if key is not None else ""
    return text.replace(secret, "***") if secret else text


def to_completion(response: Any, attempts: int) -> Completion:
    """A Completion from litellm's ModelResponse, its cost priced where litellm knows the model."""
    choices = list(response.choices)
    usage = getattr(response, "usage", None)
    cost, note = price(response)
    return Completion(
        texts=tuple(choice.message.content or "" for choice in choices),
        tool_calls=to_tool_calls(choices[0].message if choices else None),
        finish_reasons=tuple(str(choice.finish_reason or "") for choice in choices),
        tokens_in=int(getattr(usage, "prompt_tokens", 0) or 0),
        tokens_out=int(getattr(usage, "completion_tokens", 0) or 0),
        cost_usd=cost,
        cost_note=note if usage is not None else "no usage in the answer",
        model=str(getattr(response, "model", "") or ""),
        attempts=attempts,
    )


def to_tool_calls(message: Any) -> tuple[ToolCall, ...]:
    calls = getattr(message, "tool_calls", None) or []
    return tuple(
        ToolCall(
            id=str(call.id or ""),
            name=call.function.name or "",
            arguments=parse_arguments(call.function.arguments or ""),
            raw_arguments=call.function.arguments or "",
        )
        for call in calls
    )


def parse_arguments(raw: str) -> dict[str, Any]:
    try:
        parsed = json.loads(raw) if raw.strip() else {}
    except json.JSONDecodeError:
        return {}
    return parsed if isinstance(parsed, dict) else {}


def price(response: Any) -> tuple[float, str]:
    """Cost in USD from litellm's local price map, or 0 and the reason it has none."""
    litellm = load_litellm()
    try:
        return float(litellm.completion_cost(completion_response=response)), ""
    except Exception as exc:  # litellm raises several unrelated types for "no price known"
        return 0.0, f"no price for {getattr(response, 'model', '?')}: {type(exc).__name__}"
