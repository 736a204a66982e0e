"""Where the solver's images are named: an optional namespace (SOLVER_IMAGE_NAMESPACE) prefixes
every repository the solver builds, bases included, so a run in a fresh namespace starts from an
empty cache while other runs keep theirs on the same engine.

    unset            python:3.9-slim          solver-env:<hash>          solver-session:<hash>
    clean18          clean18/python:3.9-slim  clean18/solver-env:<hash>  clean18/solver-session:…

A namespaced base is built offline from Debian (debootstrap), never taken from the shared
`python:X-slim`; the cache's budget and pruning see only the namespace's images.
"""

from __future__ import annotations

import os
import re

NAMESPACE_ENV = "SOLVER_IMAGE_NAMESPACE"
CACHED = ("solver-session", "solver-cov", "solver-env", "solver-build")
"""The repositories the cache may prune (rebuilt on demand); bases are never pruned."""
_COMPONENT = re.compile(r"[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*")
"""A path component of a Docker repository name."""


def namespace() -> str:
    """The image namespace in force ('' for none); a bad one is a ValueError saying why."""
    named = os.environ.get(NAMESPACE_ENV, "").strip()
    if named and not all(_COMPONENT.fullmatch(part) for part in named.split("/")):
        raise ValueError(f"{NAMESPACE_ENV}={named!r}: not a Docker repository path "
                         "(lowercase letters, digits, '.', '_', '-', parts joined by '/')")
    return named


def repository(name: str) -> str:
    """`name` (solver-env, python) in the namespace in force."""
    prefix = namespace()
    return f"{prefix}/{name}" if prefix else name


def cache_repositories() -> tuple[str, ...]:
    """The prunable repositories of the namespace in force."""
    return tuple(repository(name) for name in CACHED)
