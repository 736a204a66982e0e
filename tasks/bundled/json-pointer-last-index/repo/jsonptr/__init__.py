"""JSON Pointer (RFC 6901) evaluation plus add/remove helpers (RFC 6902 semantics)."""

from .errors import PointerError
from .ops import add, remove
from .pointer import escape, parse, resolve, unescape

__all__ = ["PointerError", "parse", "resolve", "escape", "unescape", "add", "remove"]
