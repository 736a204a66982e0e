"""How a test failed, as a key comparable across runs of the same test."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

from sandbox.verdict import Outcome, Verdict

PASSED = "passed"
_ADDRESS = re.compile(r"0x[0-9a-fA-F]+")


def failure_key(outcome: str, message: str) -> str:
    """How a test ended, comparable across runs: `passed`, or the outcome and the message with
    what varies between identical runs (addresses) blanked."""
    if outcome == PASSED:
        return PASSED
    return f"{outcome}|{_ADDRESS.sub('0x?', message.strip())}"


def failures_of(verdict: Verdict, test_ids: Iterable[str]) -> dict[str, str]:
    """Test id → `failure_key` of how it ended, for those of `test_ids` that ran."""
    return {
        t: failure_key(verdict.tests[t].outcome.value, verdict.tests[t].message)
        for t in test_ids if t in verdict.tests
    }


def timed_out(baseline: Mapping[str, str]) -> frozenset[str]:
    """The tests whose `failure_key` on the base tree is a timeout: a looping base."""
    return frozenset(t for t, key in baseline.items()
                     if key.startswith(f"{Outcome.TIMEOUT.value}|"))


def looping_note(hangs: Iterable[str]) -> str:
    """One line on the tests that timed out on the base tree, or ''."""
    ids = sorted(hangs)
    if not ids:
        return ""
    shown = ", ".join(ids[:3]) + (f" (+{len(ids) - 3} more)" if len(ids) > 3 else "")
    return (f"the base tree loops: {len(ids)} test(s) timed out on it ({shown}); a candidate "
            "run stops where one of them times out again")
