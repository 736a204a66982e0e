"""pytest plugin loaded into every sandboxed test run (`-p solver_guard`).

- A per-test deadline (SIGALRM): a looping test fails alone instead of eating the whole run.
- A progress file: which test started and how each phase ended, so a run killed from outside
  still tells which tests passed and which one hung.
- After the junit report is written, its sha256 and the session's exit status go to a guard file,
  so a report rewritten later (an atexit hook, a leftover process) is noticed by the driver.
Written for any pytest >= 4 and Python >= 3.6: it runs inside the task's own environment.
"""

import hashlib
import json
import os
import signal

import pytest

_GUARD = os.environ.get("SOLVER_GUARD_FILE", "")
_TEST_TIMEOUT = float(os.environ.get("SOLVER_TEST_TIMEOUT", "0") or 0)
TIMEOUT_MARK = "solver-guard: test exceeded its time limit"


class TestTimeLimit(BaseException):
    """Raised in a test past its deadline (a BaseException: `except Exception` won't eat it)."""


def _progress(record):
    if not _GUARD:
        return
    with open(_GUARD + ".progress", "a") as f:
        f.write(json.dumps(record) + "\n")


def _on_alarm(signum, frame):
    raise TestTimeLimit("%s (%gs)" % (TIMEOUT_MARK, _TEST_TIMEOUT))


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_protocol(item, nextitem):
    _progress({"start": item.nodeid})
    armed = _TEST_TIMEOUT > 0 and hasattr(signal, "setitimer")
    if armed:
        previous = signal.signal(signal.SIGALRM, _on_alarm)
        signal.setitimer(signal.ITIMER_REAL, _TEST_TIMEOUT)
    try:
        yield
    finally:
        if armed:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, previous)


def pytest_runtest_logreport(report):
    _progress({"id": report.nodeid, "when": report.when, "outcome": report.outcome,
               "duration": getattr(report, "duration", 0.0),
               "timeout": TIMEOUT_MARK in str(getattr(report, "longrepr", "") or "")})


@pytest.hookimpl(hookwrapper=True)
def pytest_sessionfinish(session, exitstatus):
    yield
    if not _GUARD:
        return
    xml = getattr(session.config.option, "xmlpath", None)
    digest = None
    if xml and os.path.exists(xml):
        with open(xml, "rb") as f:
            digest = hashlib.sha256(f.read()).hexdigest()
    with open(_GUARD, "w") as f:
        json.dump({"sha256": digest, "exitstatus": int(exitstatus)}, f)
