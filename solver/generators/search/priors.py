"""Operator priors: a Beta-Bernoulli bandit per operator family, so search learns what works."""

from __future__ import annotations

import random
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

BASE_RATES: dict[str, float] = {
    "comparison": 1.0,
    "arithmetic": 1.0,
    "identifier": 1.0,
    "swap": 0.95,
    "method": 0.95,
    "off_by_one": 0.9,
    "exception": 0.9,
    "negation": 0.85,
    "boolean": 0.85,
    "constant": 0.85,
    "guard": 0.85,
    "default_argument": 0.8,
    "return_value": 0.8,
    "condition_reduction": 0.8,
    "condition_expansion": 0.75,
    "insertion": 0.75,
    "raise": 0.7,
    "increment": 0.7,
    "unwrap": 0.7,
    "expression_reduction": 0.65,
    "deletion": 0.6,
    "expression_expansion": 0.6,
    "wrap": 0.6,
    "counterpart": 0.95,
    "loop_condition": 0.9,
    "negate_result": 0.85,
    "condition_return": 0.85,
    "unwrap_call": 0.8,
    "twin": 0.8,
    "constant_name": 0.6,
}
"""How often each fix pattern repairs real one-hunk bugs, relative to the commonest: wrong
identifiers, operators and calls lead the single-statement bug studies (ManySStuBs4J,
PySStuBs, TBar's pattern ranking); edits that delete code or pad expressions rarely fix and
often overfit. Multiplies the learned weight, so evidence can still overturn it."""


@dataclass
class OperatorPriors:
    """Beta(successes + a, failures + b) per family; unseen families start uniform at Beta(a, b).

    `weight` is the posterior mean scaled so that an untried family weighs 1.0.
    """

    alpha: float = 1.0
    beta: float = 1.0
    successes: dict[str, float] = field(default_factory=dict)
    failures: dict[str, float] = field(default_factory=dict)

    def update(self, family: str, success: bool, amount: float = 1.0) -> None:
        """Record one tried candidate of `family` (a plausible fix counts as success)."""
        counts = self.successes if success else self.failures
        counts[family] = counts.get(family, 0.0) + amount

    def record(self, families: Iterable[str], success: bool) -> None:
        """Record a candidate made of several edits: each family shares the outcome."""
        names = list(families)
        for name in names:
            self.update(name, success, 1.0 / len(names))

    def mean(self, family: str) -> float:
        """Posterior mean success rate."""
        wins = self.alpha + self.successes.get(family, 0.0)
        losses = self.beta + self.failures.get(family, 0.0)
        return wins / (wins + losses)

    def weight(self, family: str) -> float:
        """Multiplier for candidate scores: 1.0 before any evidence."""
        return self.mean(family) / (self.alpha / (self.alpha + self.beta))

    def sample(self, family: str, rng: random.Random) -> float:
        """A Thompson sample of the family's success rate."""
        return rng.betavariate(
            self.alpha + self.successes.get(family, 0.0), self.beta + self.failures.get(family, 0.0)
        )

    def to_dict(self) -> dict[str, object]:
        """A JSON-ready form, to carry what was learned across tasks."""
        return {
            "alpha": self.alpha,
            "beta": self.beta,
            "successes": dict(self.successes),
            "failures": dict(self.failures),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, object]) -> OperatorPriors:
        """The inverse of `to_dict`."""
        successes = data.get("successes", {})
        failures = data.get("failures", {})
        return cls(
            alpha=float(data.get("alpha", 1.0)),  # type: ignore[arg-type]
            beta=float(data.get("beta", 1.0)),  # type: ignore[arg-type]
            successes=dict(successes) if isinstance(successes, Mapping) else {},
            failures=dict(failures) if isinstance(failures, Mapping) else {},
        )
