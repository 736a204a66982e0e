"""The model side of one task's run: one client and ledger, one record, and what uses them
(reproduction tests, the generator), so that every call of the task counts against one budget.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

from sandbox import Verdict
from solver.analysis import Location
from solver.generators.llm.agent import offers_functions
from solver.generators.llm.client import ModelClient, ModelConfig, Spend
from solver.generators.llm.context import build_context
from solver.generators.llm.generator import GeneratorSettings, LLMGenerator
from solver.generators.llm.record import Recorder
from solver.generators.llm.reproduce import Reproduction, reproduce
from solver.selection.llm_judge import LLMJudge
from solver.types import Budget, Ledger
from tasks.model import Task


class ModelRun:
    """Shared by reproduction and generation of one task; the generator is built once the
    task's base verdict and its session opener exist (`make_generator`)."""

    def __init__(
        self, config: ModelConfig, budget: Budget, settings: GeneratorSettings | None = None
    ) -> None:
        self.ledger = Ledger()
        self.client = ModelClient(config, Spend.from_budget(budget, self.ledger))
        settings = settings or GeneratorSettings()
        if settings.agent_steps > 0:
            settings = dataclasses.replace(
                settings, agent_functions=offers_functions(config.model, config.api_base))
        self.settings = settings
        self.recorder = Recorder()
        self.recorder.add("start", model=config.model, api_base=config.api_base,
                          width=budget.width, depth=budget.depth,
                          max_cost_usd=budget.max_cost_usd, max_tokens=budget.max_tokens,
                          agent_steps=self.settings.agent_steps)
        self.generator: LLMGenerator | None = None
        """The one generator made (`make_generator`), closed with this run."""

    async def reproduce(
        self, task: Task, files: Mapping[str, str], session: Any, existing: Sequence[str]
    ) -> Reproduction | None:
        """A reproduction test of an issue-only task (see reproduce.py)."""
        context = build_context(files, [], task.problem_statement,
                                max_tokens=self.settings.context_tokens)
        return await reproduce(self.client, task, context.files, session, self.recorder,
                               existing)

    def make_generator(
        self, files: Mapping[str, str], locations: Sequence[Location], *,
        base_verdict: Verdict | None, open_session: Callable[[], Any] | None,
    ) -> LLMGenerator:
        """The task's LLM generator. `base_verdict`: FAIL_TO_PASS on the base tree;
        `open_session`: a started sandbox Session per call (agent trajectories)."""
        if self.generator is not None:
            raise RuntimeError("one generator per ModelRun")
        self.generator = LLMGenerator(
            self.client, files, locations, base_verdict=base_verdict,
            open_session=open_session, settings=self.settings, recorder=self.recorder)
        return self.generator

    def make_judge(self) -> LLMJudge:
        """The tournament's LLM judge, charged to this run's budget and record."""
        return LLMJudge(self.client, recorder=self.recorder)

    def absorb(self, ledger: Ledger) -> None:
        """Add the model's tokens, dollars and calls to the engine's ledger of the task."""
        ledger.tokens_in += self.ledger.tokens_in
        ledger.tokens_out += self.ledger.tokens_out
        ledger.cost_usd += self.ledger.cost_usd
        ledger.calls += self.ledger.calls

    def write(self, folder: Path) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        self.recorder.write(folder / "events.jsonl")
        (folder / "llm_ledger.json").write_text(json.dumps({
            "total": {"calls": self.ledger.calls, "tokens_in": self.ledger.tokens_in,
                      "tokens_out": self.ledger.tokens_out, "cost_usd": self.ledger.cost_usd},
            "per_candidate": self.recorder.ledger()}, indent=1), encoding="utf-8")

    async def aclose(self) -> None:
        if self.generator is not None:
            await self.generator.aclose()
