"""The LLM path: a model client through litellm, SEARCH/REPLACE edits, prompt templates.

Importing this package does not import litellm; the first `ModelClient.complete` does.
"""

from solver.generators.llm.answers import parse_choice
from solver.generators.llm.blocks import EditBlock
from solver.generators.llm.client import (
    Completion,
    ModelClient,
    ModelConfig,
    Spend,
    ToolCall,
    close_clients,
    load_model_config,
)
from solver.generators.llm.edits import apply_edits, diff_files, parse_edits
from solver.generators.llm.errors import (
    BudgetExceeded,
    EditError,
    EditMismatch,
    EditParseError,
    LLMError,
    ModelCallFailed,
)
from solver.generators.llm.prompts import render, verdict_context

__all__ = [
    "BudgetExceeded",
    "Completion",
    "EditBlock",
    "EditError",
    "EditMismatch",
    "EditParseError",
    "LLMError",
    "ModelCallFailed",
    "ModelClient",
    "ModelConfig",
    "Spend",
    "ToolCall",
    "apply_edits",
    "close_clients",
    "diff_files",
    "load_model_config",
    "parse_choice",
    "parse_edits",
    "render",
    "verdict_context",
]
