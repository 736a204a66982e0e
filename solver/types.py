"""Small types shared by the engine's parts: candidates, budgets, the ledger."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class Candidate(BaseModel):
    """One proposed patch and where it came from."""

    model_config = ConfigDict(frozen=True)

    id: str
    diff: str
    """A unified diff against the task's base tree (git style, a/ b/ prefixes)."""
    parent_ids: tuple[str, ...] = ()
    round: int = 0
    generator: str = ""
    note: str = ""
    """What the generator meant by it (operator and location, or the model's summary)."""


class Budget(BaseModel):
    """How much compute one task may spend."""

    model_config = ConfigDict(frozen=True)

    width: int = 4
    """Trajectories (candidates) per round."""
    depth: int = 2
    """Rounds of refinement."""
    enough_plausible: int = 2
    """Stop once this many plausible candidates are found; 0: spend the whole budget."""
    max_candidates: int = 200
    max_seconds: float = 600.0
    max_cost_usd: float | None = None
    max_tokens: int | None = None


class StageSpend(BaseModel):
    """What one stage outside the rounds spent (reproduce, regression, grade)."""

    seconds: float = 0.0
    """Wall seconds of the stage."""
    sandbox_s: float = 0.0
    test_runs: int = 0
    calls: int = 0
    tokens: int = 0


class Ledger(BaseModel):
    """What a task spent, so that every accuracy figure comes with its cost."""

    tokens_in: int = 0
    tokens_out: int = 0
    cost_usd: float = 0.0
    sandbox_s: float = 0.0
    test_runs: int = 0
    wall_s: float = 0.0
    calls: int = 0
    per_candidate: dict[str, float] = Field(default_factory=dict)
    stages: dict[str, StageSpend] = Field(default_factory=dict)
    """The stages before and after the rounds, each on its own line; grading's is not part of
    the solver's spend (sandbox_s, test_runs above)."""

    @property
    def tokens(self) -> int:
        return self.tokens_in + self.tokens_out
