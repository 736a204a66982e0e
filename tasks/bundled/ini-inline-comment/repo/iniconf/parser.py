"""Turn INI text into nested dictionaries."""

from __future__ import annotations

import re

from .errors import ConfigError

_SECTION_RE = re.compile(r"^\[(?P<name>[^\]]+)\]$")
_COMMENT_PREFIXES = ("#", ";")
_INLINE_COMMENT_RE = re.compile(r"\s[#;]")


def _strip_inline_comment(value: str) -> str:
    # An inline comment must be preceded by whitespace so that values such
    # as ``color=#fff`` or ``url=http://x/#frag`` survive.
    value = value.lstrip()
    match = _INLINE_COMMENT_RE.search(value)
    if match:
        value = value[: match.start()]
    return value


def parse(text: str) -> dict[str, dict[str, str]]:
    """Parse INI ``text``.

    * ``[name]`` starts a section; keys before any section go to ``DEFAULT``.
    * ``key = value`` and ``key: value`` are both accepted; keys are
      lower-cased, values are stripped of surrounding whitespace.
    * Full-line comments start with ``#`` or ``;``; inline comments need a
      whitespace character before the marker.
    * An indented line continues the previous value (joined with ``\n``).
    """
    sections: dict[str, dict[str, str]] = {"DEFAULT": {}}
    current = sections["DEFAULT"]
    last_key: str | None = None
    for lineno, raw in enumerate(text.splitlines(), start=1):
        if not raw.strip() or raw.lstrip().startswith(_COMMENT_PREFIXES):
            continue
        if raw[0].isspace() and last_key is not None:
            current[last_key] += "\n" + _strip_inline_comment(raw).strip()
            continue
        line = raw.strip()
        match = _SECTION_RE.match(line)
        if match:
            name = match.group("name").strip()
            current = sections.setdefault(name, {})
            last_key = None
            continue
        key, sep, value = _split_pair(line)
        if not sep:
            raise ConfigError(f"expected 'key = value', got {line!r}", lineno)
        key = key.strip().lower()
        if not key:
            raise ConfigError("empty key", lineno)
        current[key] = _strip_inline_comment(value).lstrip()
        last_key = key
    return sections


def _split_pair(line: str) -> tuple[str, str, str]:
    positions = [p for p in (line.find("="), line.find(":")) if p != -1]
    if not positions:
        return line, "", ""
    pos = min(positions)
    return line[:pos], line[pos], line[pos + 1:]
