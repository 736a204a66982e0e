"""Typed access to parsed configuration."""

from __future__ import annotations

from typing import Any

from .errors import ConfigError
from .parser import parse

_TRUE = {"1", "yes", "true", "on"}
_FALSE = {"0", "no", "false", "off"}
_NO_DEFAULT = object()


class Config:
    """Parsed configuration with a ``DEFAULT`` fallback section."""

    def __init__(self, sections: dict[str, dict[str, str]]):
        self._defaults = sections.get("DEFAULT", {})
        self._sections = {k: v for k, v in sections.items() if k != "DEFAULT"}

    @classmethod
    def from_string(cls, text: str) -> Config:
        return cls(parse(text))

    def sections(self) -> list[str]:
        return list(self._sections)

    def get(self, section: str, key: str, default: Any = _NO_DEFAULT) -> str:
        """Look ``key`` up in ``section``, then in ``DEFAULT``."""
        key = key.lower()
        values = self._sections.get(section)
        if values is None and default is _NO_DEFAULT:
            raise ConfigError(f"no section {section!r}")
        if values is not None and key in values:
            return values[key]
        if key in self._defaults:
            return self._defaults[key]
        if default is _NO_DEFAULT:
            raise ConfigError(f"{section}.{key}: missing")
        return default

    def getint(self, section: str, key: str, default: Any = _NO_DEFAULT) -> int:
        value = self.get(section, key, default)
        try:
            return int(value)
        except (TypeError, ValueError):
            raise ConfigError(f"{section}.{key}: not an integer: {value!r}") from None

    def getbool(self, section: str, key: str, default: Any = _NO_DEFAULT) -> bool:
        value = self.get(section, key, default)
        if isinstance(value, bool):
            return value
        if value.lower() in _TRUE:
            return True
        if value.lower() in _FALSE:
            return False
        raise ConfigError(f"{section}.{key}: not a boolean: {value!r}")

    def getlist(self, section: str, key: str, sep: str = ",") -> list[str]:
        """Split a value on ``sep`` (and newlines), dropping empty items."""
        value = self.get(section, key).replace("\n", sep)
        return [item.strip() for item in value.split(sep) if item.strip()]
