from .tokens import tokenize

__all__ = ["tokenize"]
