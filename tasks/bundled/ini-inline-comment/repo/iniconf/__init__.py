"""A small INI-style configuration reader with typed accessors."""

from .config import Config
from .errors import ConfigError
from .parser import parse

__all__ = ["Config", "ConfigError", "parse"]
