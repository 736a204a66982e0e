"""The solver's one typed configuration: what a task may spend and which generator spends it.

Layers, the first that sets a field wins:

    command-line flags  (solver/cli/options.py; a flag left out is None and sets nothing)
    SOLVER_* environment variables  (SOLVER_MAX_COST=0.5, SOLVER_MODEL=openai/gpt-4o-mini)
    [tool.solver] in the project's pyproject.toml
    solver.toml in the project
    the defaults below

The project is the checkout being worked on: the current directory, or the PATH of `solver ci`.
Secrets are not fields: a model key comes from SOLVER_API_KEY or the provider's own variable
(solver.generators.llm.client), is refused in the files, and never enters a container.
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import Field, ValidationError, model_validator
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    PyprojectTomlConfigSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

from solver.protocol import Protocol
from solver.types import Budget

if TYPE_CHECKING:
    from sandbox import SandboxConfig

CONFIG_FILE = "solver.toml"
SECRET_MARKS = ("key", "secret", "password", "credential")


class ConfigError(ValueError):
    """A configuration file or value the user must fix; the message names the file and key."""


class GeneratorKind(StrEnum):
    LLM = "llm"
    SEARCH = "search"


class SolverConfig(BaseSettings):
    """Build it with `load_config` (flags and a project folder) or `SolverConfig(**flags)` (the
    current directory's files)."""

    model_config = SettingsConfigDict(
        env_prefix="SOLVER_", env_ignore_empty=True, extra="forbid", frozen=True,
        use_attribute_docstrings=True, pyproject_toml_table_header=("tool", "solver"))

    width: int = Field(default=8, ge=1)
    """Candidates per round. 8 x 3 by default: the offline search solves 12-13 of the 24 bundled
    tasks there, 16 x 3 one more at twice the sandbox time (solver bench search)."""
    depth: int = Field(default=3, ge=1)
    """Rounds of refinement."""
    max_cost: float | None = Field(default=None, ge=0)
    """Stop making model calls once this many USD are spent (per task)."""
    max_tokens: int | None = Field(default=None, ge=0)
    """Stop making model calls once this many tokens are spent (per task)."""
    max_candidates: int = Field(default=200, ge=1)
    """Most candidates one task may verify."""
    max_seconds: float = Field(default=600.0, gt=0)
    """Wall seconds one task's rounds may take."""
    enough_plausible: int = Field(default=2, ge=0)
    """Stop once this many plausible candidates behave alike; 0: spend the whole budget."""
    test_timeout: float = Field(default=10.0, ge=0)
    """Seconds one test may run before it fails alone (a looping candidate); 0: no limit."""
    capacity: int | None = Field(default=None, ge=1)
    """Verifications at once (warm containers) per task; default: the CPU count, shared out
    among `solver eval`'s workers."""
    generator: GeneratorKind | None = None
    """Candidate generator: llm or search. Default: llm when a model is configured, else search."""
    model: str | None = None
    """litellm model string, provider first, e.g. openai/gpt-4o-mini."""
    api_base: str | None = None
    """OpenAI-compatible endpoint, e.g. http://127.0.0.1:8000/v1; default: the provider's."""
    temperature: float | None = Field(default=None, ge=0)
    """Sampling temperature of the model; default 0.8."""
    max_tokens_per_call: int | None = Field(default=None, ge=1)
    """Most tokens one answer may hold (per call, not a budget); default 4096."""
    agent_steps: int = Field(default=0, ge=0)
    """Actions (read, search, run, test) an LLM trajectory may take in its sandbox before it
    proposes."""
    context_tokens: int = Field(default=12000, ge=1000)
    """Code one prompt shows, in estimated tokens."""
    reproductions: int = Field(default=2, ge=1)
    """Reproduction tests the model is asked for under --protocol issue, each from a
    conversation of its own, so that one wrong reproduction does not decide alone."""
    protocol: Protocol | None = None
    """What the solver may see (solver/protocol.py): issue (the problem statement and the
    repository; hidden tests grade the pick afterwards) or tests (the failing tests are the
    task). Default: issue for SWE-bench-format tasks, tests otherwise."""

    @model_validator(mode="after")
    def _generator_has_a_model(self) -> SolverConfig:
        if self.generator is GeneratorKind.LLM and not self.model:
            raise ValueError("the llm generator needs a model: --model, SOLVER_MODEL or "
                             "`model` in [tool.solver]")
        return self

    @property
    def kind(self) -> GeneratorKind:
        """The generator that runs: as configured, else llm when a model is set, else search."""
        if self.generator is not None:
            return self.generator
        return GeneratorKind.LLM if self.model else GeneratorKind.SEARCH

    def budget(self) -> Budget:
        return Budget(width=self.width, depth=self.depth, enough_plausible=self.enough_plausible,
                      max_candidates=self.max_candidates, max_seconds=self.max_seconds,
                      max_cost_usd=self.max_cost, max_tokens=self.max_tokens)

    def sandbox(self) -> SandboxConfig:
        from sandbox import SandboxConfig  # not at import: `solver --help` stays without docker

        limits = SandboxConfig(test_timeout_s=self.test_timeout)
        return limits if self.capacity is None else limits.model_copy(
            update={"capacity": self.capacity})

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        project = _PROJECT.get(None) or Path.cwd()
        return (init_settings, env_settings, ProjectTable(settings_cls, project),
                ProjectFile(settings_cls, project))


_PROJECT: ContextVar[Path | None] = ContextVar("solver_config_project", default=None)
"""The folder `load_config` reads files from, while it builds one SolverConfig."""


def load_config(flags: dict[str, Any] | None = None, project: Path | None = None) -> SolverConfig:
    """Flags (None values dropped) over SOLVER_* over the files of `project` (default: cwd).

    Raises ConfigError naming the file, key or variable at fault."""
    given = {k: v for k, v in (flags or {}).items() if v is not None}
    token = _PROJECT.set((project or Path.cwd()).resolve())
    try:
        return SolverConfig(**given)
    except ValidationError as exc:
        raise ConfigError(describe_errors(exc)) from exc
    finally:
        _PROJECT.reset(token)


def describe_errors(exc: ValidationError) -> str:
    """One line per bad value: where it may come from, and what is wrong."""
    lines = []
    for error in exc.errors():
        name = ".".join(str(part) for part in error["loc"])
        where = (f"--{name.replace('_', '-')} / SOLVER_{name.upper()} / [tool.solver] {name}"
                 if name else "configuration")
        lines.append(f"{where}: {error['msg']}")
    return "\n".join(lines)


def check_table(values: dict[str, Any], where: str) -> None:
    """Refuse secrets and unknown keys in a file, naming the file and the key."""
    for key in values:
        if any(mark in key.lower() for mark in SECRET_MARKS):
            raise ConfigError(f"{where}: `{key}` looks like a secret; secrets come from the "
                              "environment (SOLVER_API_KEY or the provider's variable), never "
                              "from a file")
        if key not in SolverConfig.model_fields:
            known = ", ".join(SolverConfig.model_fields)
            raise ConfigError(f"{where}: unknown key `{key}` (known: {known})")


@contextmanager
def naming(path: Path) -> Iterator[None]:
    """A file that is not TOML becomes a ConfigError that names it."""
    try:
        yield
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from exc


class ProjectTable(PyprojectTomlConfigSettingsSource):
    """[tool.solver] of the project's pyproject.toml (nothing when there is none)."""

    def __init__(self, settings_cls: type[BaseSettings], project: Path) -> None:
        with naming(project / "pyproject.toml"):
            super().__init__(settings_cls, toml_file=project / "pyproject.toml")
        check_table(self.toml_data, f"{self.toml_file_path} [tool.solver]")


class ProjectFile(TomlConfigSettingsSource):
    """The project's solver.toml, top-level keys (nothing when there is none)."""

    def __init__(self, settings_cls: type[BaseSettings], project: Path) -> None:
        with naming(project / CONFIG_FILE):
            super().__init__(settings_cls, toml_file=project / CONFIG_FILE)
        check_table(self.toml_data, str(project / CONFIG_FILE))
