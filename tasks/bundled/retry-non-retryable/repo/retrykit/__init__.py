"""Retry calls with exponential backoff."""

from .backoff import Backoff
from .errors import RetryError
from .retry import call_with_retry, retry

__all__ = ["Backoff", "RetryError", "retry", "call_with_retry"]
