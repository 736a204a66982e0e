"""The trajectory record of the LLM path: every prompt, answer, action, drop and note, in order,
and what each call cost, per candidate.

Events are plain JSON objects (`type`, `trajectory`, `round`, ...) written one a line to
`events.jsonl`. No event holds a key: prompts and answers are model text, and the model
configuration is never recorded.
"""

from __future__ import annotations

import json
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from solver.generators.llm.client import Completion


@dataclass
class CallSpend:
    """Tokens and dollars of a group of calls (one candidate's, or the distillations')."""

    calls: int = 0
    tokens_in: int = 0
    tokens_out: int = 0
    cost_usd: float = 0.0

    def add(self, completion: Completion) -> None:
        self.calls += 1
        self.tokens_in += completion.tokens_in
        self.tokens_out += completion.tokens_out
        self.cost_usd += completion.cost_usd

    def merge(self, other: CallSpend) -> None:
        self.calls += other.calls
        self.tokens_in += other.tokens_in
        self.tokens_out += other.tokens_out
        self.cost_usd += other.cost_usd

    @property
    def tokens(self) -> int:
        return self.tokens_in + self.tokens_out


class Recorder:
    """Collects events; `spend` maps a candidate id (or `distill`, `reproduce`) to its calls."""

    def __init__(self) -> None:
        self.events: list[dict[str, Any]] = []
        self.spend: dict[str, CallSpend] = {}
        self._start = time.monotonic()

    def add(self, event_type: str, /, **fields: Any) -> dict[str, Any]:
        event = {"type": event_type, "t": round(time.monotonic() - self._start, 3), **fields}
        self.events.append(event)
        return event

    def call(self, event_type: str, completion: Completion, /, **fields: Any) -> None:
        """An answer event with the call's tokens and cost."""
        self.add(event_type, tokens_in=completion.tokens_in, tokens_out=completion.tokens_out,
                 cost_usd=completion.cost_usd, attempts=completion.attempts, **fields)

    def charge(self, owner: str, spend: CallSpend) -> None:
        self.spend.setdefault(owner, CallSpend()).merge(spend)

    def ledger(self) -> dict[str, dict[str, Any]]:
        return {owner: asdict(spend) for owner, spend in self.spend.items()}

    def write(self, path: Path) -> None:
        with path.open("w", encoding="utf-8") as fh:
            for event in self.events:
                fh.write(json.dumps(event, default=str) + "\n")
