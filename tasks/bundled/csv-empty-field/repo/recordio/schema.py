"""Typed field declarations."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

_BOOLS = {"true": True, "yes": True, "1": True, "false": False, "no": False, "0": False}


def _to_bool(text: str) -> bool:
    try:
        return _BOOLS[text.lower()]
    except KeyError:
        raise ValueError(f"not a boolean: {text!r}") from None


_CONVERTERS: dict[Any, Callable[[str], Any]] = {
    str: str,
    int: int,
    float: float,
    bool: _to_bool,
    date: date.fromisoformat,
}


@dataclass(frozen=True)
class Field:
    """One column.

    ``type`` is ``str``, ``int``, ``float``, ``bool``, ``datetime.date`` or any
    callable taking the raw text.  An empty value in a field that is not
    ``required`` becomes ``default``; in a required field it is an error.
    """

    name: str
    type: Any = str
    required: bool = True
    default: Any = None

    def convert(self, raw: str) -> Any:
        raw = raw.strip()
        if raw == "" and self.required:
            raise ValueError("value is required")
        converter = _CONVERTERS.get(self.type, self.type)
        return converter(raw)


class Schema:
    def __init__(self, fields: Sequence[Field]):
        names = [f.name for f in fields]
        if len(set(names)) != len(names):
            raise ValueError("duplicate field names")
        self.fields = list(fields)

    def names(self) -> list[str]:
        return [f.name for f in self.fields]

    def field(self, name: str) -> Field:
        for f in self.fields:
            if f.name == name:
                return f
        raise KeyError(name)
