"""A hand-written tokenizer for a small expression / config language."""

from .errors import LexError
from .lexer import tokenize
from .tokens import KEYWORDS, Token

__all__ = ["tokenize", "Token", "LexError", "KEYWORDS"]
