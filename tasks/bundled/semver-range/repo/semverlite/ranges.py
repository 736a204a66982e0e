"""Version ranges: ``">=1.2.0 <2.0.0"``, ``"^1.2.3"``, ``"~1.2.0"``."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from .version import Version

_OPERATORS = ("<=", ">=", "<", ">", "=", "^", "~")


@dataclass(frozen=True)
class Comparator:
    """A single ``<op><version>`` condition."""

    op: str
    version: Version

    @classmethod
    def parse(cls, text: str) -> list[Comparator]:
        """Parse one comparator; caret and tilde expand to two comparators."""
        for op in _OPERATORS:
            if text.startswith(op):
                version = Version.parse(text[len(op):])
                break
        else:
            op, version = "=", Version.parse(text)
        if op == "^":
            if version.major > 0:
                upper = version.bump_major()
            elif version.minor > 0:
                upper = version.bump_minor()
            else:
                upper = version.bump_patch()
            return [cls(">=", version), cls("<", upper)]
        if op == "~":
            return [cls(">=", version), cls("<", version.bump_minor())]
        return [cls(op, version)]

    def matches(self, version: Version) -> bool:
        if self.op == "=":
            return version == self.version
        if self.op == "<":
            return version < self.version
        if self.op == "<=":
            return version < self.version
        if self.op == ">":
            return version > self.version
        if self.op == ">=":
            return version >= self.version
        raise ValueError(f"unknown operator {self.op!r}")


class Range:
    """A space-separated conjunction of comparators; ``||`` separates alternatives."""

    def __init__(self, spec: str):
        self.spec = spec
        self.alternatives: list[list[Comparator]] = []
        for part in spec.split("||"):
            comparators: list[Comparator] = []
            for token in part.split():
                comparators.extend(Comparator.parse(token))
            if not comparators:
                raise ValueError(f"empty range in {spec!r}")
            self.alternatives.append(comparators)

    def contains(self, version: Version | str) -> bool:
        if isinstance(version, str):
            version = Version.parse(version)
        return any(all(c.matches(version) for c in group) for group in self.alternatives)

    __contains__ = contains

    def __repr__(self) -> str:
        return f"Range({self.spec!r})"


def satisfies(version: Version | str, spec: str) -> bool:
    """True if ``version`` lies in the range ``spec``."""
    return Range(spec).contains(version)


def max_satisfying(versions: Iterable[str], spec: str) -> str | None:
    """The highest of ``versions`` in ``spec`` (as given), or ``None``."""
    rng = Range(spec)
    best: tuple[Version, str] | None = None
    for text in versions:
        version = Version.parse(text)
        if rng.contains(version) and (best is None or version > best[0]):
            best = (version, text)
    return best[1] if best else None
