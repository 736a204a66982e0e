"""What can go wrong on the LLM path. Each error carries what a caller needs to act on it.

LLMError
├── BudgetExceeded      a hard cap (cost or tokens) is reached; no call was made
├── ModelCallFailed     the provider kept failing (after retries) or refused the request
│   └── EndpointDown    rate limits, 5xx or no connection past every retry: infrastructure
└── EditError
    ├── EditParseError  an answer's SEARCH/REPLACE blocks are malformed
    └── EditMismatch    a SEARCH block matches nothing in its file
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from solver.generators.llm.blocks import EditBlock


class LLMError(Exception):
    """Base of the errors raised on the LLM path."""


class BudgetExceeded(LLMError):
    """A cap is reached: `what` ("cost_usd" or "tokens") has `spent` >= `limit`."""

    def __init__(self, what: str, spent: float, limit: float) -> None:
        super().__init__(f"budget exceeded: {what} spent {spent:g} >= limit {limit:g}")
        self.what = what
        self.spent = spent
        self.limit = limit


class ModelCallFailed(LLMError):
    """The model could not be reached or answered unusably, `attempts` times."""

    def __init__(
        self, model: str, attempts: int, reason: str, status_code: int | None = None
    ) -> None:
        super().__init__(f"model {model!r} failed after {attempts} attempt(s): {reason}")
        self.model = model
        self.attempts = attempts
        self.reason = reason
        self.status_code = status_code


class EndpointDown(ModelCallFailed):
    """Transient failures (429, 5xx, timeouts, no connection) outlasted the retries: the task
    ends as infra_error (cause model_endpoint), not as a task without candidates."""


class EditError(LLMError):
    """An answer's edits cannot be used as they are."""


class EditParseError(EditError):
    """Malformed SEARCH/REPLACE markup, or an unusable path (absolute, `..`)."""


class EditMismatch(EditError):
    """Block `block.index` matched nothing in `block.path`; `closest` shows the nearest lines."""

    def __init__(
        self, block: EditBlock, closest: str, closest_line: int, similarity: float, why: str
    ) -> None:
        self.block = block
        self.closest = closest
        self.closest_line = closest_line
        self.similarity = similarity
        self.why = why
        super().__init__(self.describe())

    def describe(self) -> str:
        head = f"SEARCH block {self.block.index + 1} for {self.block.path} {self.why}"
        search = f"SEARCH:\n{self.block.search}"
        if not self.closest:
            return f"{head}\n{search}"
        near = f"closest lines (from line {self.closest_line}, {self.similarity:.0%} similar):"
        return f"{head}\n{search}\n{near}\n{self.closest}"
