"""Collection errors: a test module pytest could not import (a SyntaxError, an ImportError, a
NameError raised at import), named in one line by the project line its traceback ends on."""

from __future__ import annotations

import re
from dataclasses import dataclass

from sandbox.verdict import Verdict
from solver.analysis.tracebacks import traceback_locations

COLLECTION_FAILURE = "collection failure"
"""How pytest's JUnit report begins the message of a test module that failed to import."""
_ERROR_LINE = re.compile(r"^E\s+(?P<error>[A-Za-z_][\w.]*(?:Error|Exception|Exit)\b.*)$")


@dataclass(frozen=True)
class CollectionError:
    test_id: str
    file: str
    """Repo-relative file of the innermost project frame ('' when the traceback names none)."""
    line: int
    error: str
    """The exception line, e.g. `SyntaxError: expected ':'`."""

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}: " if self.file else ""
        return f"{where}{self.error} (collecting {self.test_id.split('::')[0]})"


def collection_errors(verdict: Verdict, repo_root: str) -> list[CollectionError]:
    """One entry per test module that failed to import, in test-id order."""
    found = []
    for test_id in sorted(verdict.failing()):
        message = verdict.tests[test_id].message
        if not message.startswith(COLLECTION_FAILURE):
            continue
        frames = traceback_locations(message, repo_root)
        file, line = frames[0] if frames else ("", 0)
        errors = [m["error"] for m in map(_ERROR_LINE.match, message.splitlines()) if m]
        error = errors[-1] if errors else message.strip().splitlines()[-1].lstrip("E ").strip()
        found.append(CollectionError(test_id, file, line, error))
    return found
