"""The composition root: a `SolverConfig` and a prepared task → the objects one run is made of.

    SolverConfig ─► budget, sandbox limits, the model run (llm: one client, ledger, record)
    + the task's environment (Prepared) and localization (Located)
                 ─► generator (search or llm), judges, a session opener for agents

Every object receives its collaborators when it is built and is not changed afterwards: the LLM
generator is built once localization has produced the base verdict, with its session opener.
`solver solve`, `solver ci` and `solver eval` all go through here (solver/jobs/run.py).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from solver.config import GeneratorKind, SolverConfig

if TYPE_CHECKING:
    from sandbox import RunSpec, SandboxConfig, Session, Verdict
    from solver.analysis import Location
    from solver.generators.llm.client import ModelConfig
    from solver.generators.llm.model_run import ModelRun
    from solver.protocols import Generator, Judge
    from solver.types import Budget
    from tasks.model import Task


@dataclass(frozen=True)
class Prepared:
    """A task ready for the sandbox: its images, limits, run spec and source files."""

    task: Task
    """The task as it runs (an issue-only task carries its reproduction test by now)."""
    image: str
    coverage_image: str
    """Where localization's per-test coverage runs."""
    sandbox: SandboxConfig
    spec: RunSpec
    files: dict[str, str]
    """The task's source files at its base commit."""


@dataclass(frozen=True)
class Located:
    """What localization found, shared by every trajectory of the task."""

    locations: list[Location] = field(default_factory=list)
    baseline: dict[str, str] = field(default_factory=dict)
    """How each FAIL_TO_PASS test fails before any edit (the search compares)."""
    base_verdict: Verdict | None = None
    """FAIL_TO_PASS on the base tree (what the model is shown first); llm only."""


@dataclass(frozen=True)
class Parts:
    """What the engine runs with."""

    generator: Generator
    judges: list[Judge]
    budget: Budget


def model_config(config: SolverConfig) -> ModelConfig:
    """The model client's settings: the configured fields over the SOLVER_MODEL_* variables
    (retries, timeouts) and the key, which only the environment holds."""
    from solver.generators.llm.client import load_model_config

    return load_model_config({"model": config.model, "api_base": config.api_base,
                              "temperature": config.temperature,
                              "max_tokens": config.max_tokens_per_call})


def start_model_run(config: SolverConfig) -> ModelRun | None:
    """The model side of one task (client, ledger, record) for the llm generator, else None."""
    if config.kind is not GeneratorKind.LLM:
        return None
    from solver.generators.llm.generator import GeneratorSettings
    from solver.generators.llm.model_run import ModelRun

    settings = GeneratorSettings(context_tokens=config.context_tokens,
                                 agent_steps=config.agent_steps)
    return ModelRun(model_config(config), config.budget(), settings)


def session_opener(
    client: Any, image: str, sandbox: SandboxConfig, spec: RunSpec
) -> Callable[[], Session]:
    """A started sandbox Session per call (an agent trajectory's own container)."""
    from sandbox import Session

    return lambda: Session(client, image, sandbox, spec).start()


def build_generator(
    config: SolverConfig, prepared: Prepared, located: Located, model_run: ModelRun | None,
    open_session: Callable[[], Session],
) -> Generator:
    if config.kind is GeneratorKind.SEARCH:
        from solver.generators.search.generator import SearchGenerator

        return SearchGenerator(prepared.files, located.locations, baseline=located.baseline)
    if model_run is None:
        raise ValueError("the llm generator needs a ModelRun (start_model_run)")
    return model_run.make_generator(prepared.files, located.locations,
                                    base_verdict=located.base_verdict, open_session=open_session)


def compose(
    config: SolverConfig, prepared: Prepared, located: Located, model_run: ModelRun | None,
    open_session: Callable[[], Session],
) -> Parts:
    """The generator, the tournament's judges (the model's, on the same budget) and the budget."""
    judges: list[Judge] = [] if model_run is None else [model_run.make_judge()]
    return Parts(build_generator(config, prepared, located, model_run, open_session), judges,
                 config.budget())


@asynccontextmanager
async def closing_model_clients(config: SolverConfig) -> AsyncIterator[None]:
    """litellm's HTTP clients closed in the event loop that made the calls (llm only)."""
    try:
        yield
    finally:
        if config.kind is GeneratorKind.LLM:
            from solver.generators.llm.client import close_clients

            await close_clients()
