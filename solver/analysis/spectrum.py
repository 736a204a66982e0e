"""Program spectra: which lines each test covered, and whether it passed."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from coverage import CoverageData

from tasks.paths import repo_relative

Line = tuple[str, int]
"""(repo-relative posix file, 1-based line)."""

_PHASES = ("|run", "|setup", "|teardown")


@dataclass(frozen=True)
class Spectrum:
    """Per test id: whether it passed, and the lines it covered."""

    outcomes: Mapping[str, bool]
    covered: Mapping[str, frozenset[Line]]
    imported: frozenset[Line] = frozenset()
    """Lines run outside any test (module-level code, run when pytest's collection imports the
    module): attributed to every test, since one session imports every module before its first
    test runs."""

    @property
    def failed(self) -> list[str]:
        return [test for test, passed in self.outcomes.items() if not passed]

    @property
    def passed(self) -> list[str]:
        return [test for test, passed in self.outcomes.items() if passed]

    def lines(self) -> set[Line]:
        """Every line some test covered."""
        lines: set[Line] = set().union(*self.covered.values()) if self.covered else set()
        return lines | (self.imported if self.outcomes else set())

    def hits(self) -> dict[Line, tuple[int, int]]:
        """Per line: (failing tests covering it, passing tests covering it)."""
        counts: dict[Line, tuple[int, int]] = {}
        for test, passed in self.outcomes.items():
            for line in self.covered.get(test, frozenset()) | self.imported:
                failed_hits, passed_hits = counts.get(line, (0, 0))
                counts[line] = (
                    (failed_hits, passed_hits + 1) if passed else (failed_hits + 1, passed_hits)
                )
        return counts


def context_test_id(context: str) -> str:
    """`tests/test_x.py::test_a[1-2]|run` → `tests/test_x.py::test_a[1-2]`."""
    for phase in _PHASES:
        if context.endswith(phase):
            return context[: -len(phase)]
    return context


def spectrum_from_coverage(data_file: Path, outcomes: dict[str, bool], repo_root: str) -> Spectrum:
    """A spectrum from a coverage.py data file written by `pytest --cov --cov-context=test`.

    Paths measured under `repo_root` (the checkout's path where the tests ran, e.g. /testbed)
    become repo-relative; tests absent from `outcomes` are ignored.
    """
    data = CoverageData(basename=str(data_file))
    data.read()
    if not any(context for context in data.measured_contexts()):
        raise ValueError(
            f"{data_file} has no per-test contexts: run pytest with --cov-context=test"
        )
    covered: dict[str, set[Line]] = {test: set() for test in outcomes}
    imported: set[Line] = set()
    for path in sorted(data.measured_files()):
        relative = repo_relative(path, repo_root)
        if relative is None:
            continue
        for lineno, contexts in data.contexts_by_lineno(path).items():
            if lineno < 1:  # line 0: an empty module's "line" some coverage versions record
                continue
            for context in contexts:
                if not context:  # the empty context: no test was running
                    imported.add((relative, lineno))
                test = context_test_id(context)
                if test in covered:
                    covered[test].add((relative, lineno))
    return Spectrum(dict(outcomes), {test: frozenset(lines) for test, lines in covered.items()},
                    frozenset(imported))
