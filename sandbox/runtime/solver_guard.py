"""pytest plugin loaded into every sandboxed test run (`-p solver_guard`, by solver_runner).

- A per-test deadline (SIGALRM): a looping test fails alone instead of eating the whole run.
- A progress file: which test started and how each phase ended, so a run killed from outside
  still tells which tests passed and which one hung.
- Tamper evidence: pytest's own machinery (runtest, report construction, the junit writer) is
  snapshotted when this plugin is imported, before any project code, and checked around every
  test; a test function whose code object changed, a profile or trace function installed by the
  project, a test that raised but is reported passed, a plugin registered from the work tree
  after collection began: each is recorded as a finding.
- After the junit report is written, its sha256, the session's exit status and the findings go
  to the driver through an inherited pipe (closed at once), so a report rewritten later (an
  atexit hook, a leftover process) is noticed, and a run that never reaches the end of its
  session sends nothing. The record carries a key read (and its pipe closed) when this plugin
  is imported, before any project code: a record written by anyone else is ignored.
Written for any pytest >= 4 and Python >= 3.6: it runs inside the task's own environment.
Imported by solver_runner before pytest reads `-p solver_guard`, so it asks not to be rewritten
(PYTEST_DONT_REWRITE): pytest then does not warn that it was already imported.
"""

import hashlib
import json
import os
import signal
import sys
import time
from typing import Any, Dict, List

import _pytest.python
import _pytest.reports
import _pytest.runner
import pytest

_GUARD = os.environ.get("SOLVER_GUARD_FILE", "")
_FD = int(os.environ.get("SOLVER_GUARD_FD", "-1") or -1)
_COVERAGE = bool(os.environ.get("COVERAGE_FILE"))
"""A coverage run: coverage.py's tracer comes and goes with its contexts."""


def _read_key():
    fd = int(os.environ.pop("SOLVER_GUARD_KEY_FD", "-1") or -1)
    if fd < 0:
        return ""
    try:
        key = os.read(fd, 64).decode()
    except OSError:
        key = ""
    try:
        os.close(fd)
    except OSError:
        pass
    return key


_KEY = _read_key()
_TEST_TIMEOUT = float(os.environ.get("SOLVER_TEST_TIMEOUT", "0") or 0)
TIMEOUT_MARK = "solver-guard: test exceeded its time limit"
_STOP_ON_TIMEOUT = frozenset(filter(None, os.environ.get("SOLVER_STOP_ON_TIMEOUT", "").split("\n")))
"""Tests that timed out on the base tree: one of them timing out again stops the run there."""
WORK = "/testbed"


def _watched():
    import _pytest.junitxml as junit
    targets = [(_pytest.python.Function, "runtest"), (_pytest.python, "pytest_pyfunc_call"),
               (_pytest.reports.TestReport, "from_item_and_call"),
               (_pytest.runner, "call_and_report"), (_pytest.runner, "call_runtest_hook"),
               (_pytest.runner, "runtestprotocol"), (_pytest.runner.CallInfo, "from_call"),
               (junit.LogXML, "pytest_runtest_logreport"), (junit.LogXML, "pytest_sessionfinish"),
               (junit._NodeReporter, "append_pass"), (junit._NodeReporter, "append_failure")]
    found = {}
    for owner, name in targets:
        value = owner.__dict__.get(name) if isinstance(owner, type) else getattr(owner, name, None)
        if value is not None:
            found["%s.%s" % (getattr(owner, "__name__", owner), name)] = (owner, name, value)
    return found


_ORIGINALS = _watched()


class _State:
    findings: List[str] = []
    codes: Dict[str, Any] = {}
    raised: Dict[str, bool] = {}
    profile: Any = None
    trace: Any = None
    collecting = False
    session: Any = None


class TestTimeLimit(BaseException):
    """Raised in a test past its deadline (a BaseException: `except Exception` won't eat it)."""


def _finding(text):
    if text not in _State.findings and len(_State.findings) < 50:
        _State.findings.append(text)


def _check_machinery():
    for label, (owner, name, value) in _ORIGINALS.items():
        now = owner.__dict__.get(name) if isinstance(owner, type) else getattr(owner, name, None)
        if now is not value:
            _finding("pytest internals replaced: %s" % label)
    if sys.getprofile() is not _State.profile:
        _finding("a profile function was installed (sys.setprofile)")
    if not _COVERAGE and sys.gettrace() is not _State.trace:
        _finding("a trace function was installed (sys.settrace)")


def _progress(record):
    if not _GUARD:
        return
    with open(_GUARD + ".progress", "a") as f:
        f.write(json.dumps(record) + "\n")


def _on_alarm(signum, frame):
    raise TestTimeLimit("%s (%gs)" % (TIMEOUT_MARK, _TEST_TIMEOUT))


@pytest.hookimpl(hookwrapper=True)
def pytest_collection(session):
    # Coverage (pytest-cov) has started its tracer by now; project code is not imported yet.
    _State.profile, _State.trace = sys.getprofile(), sys.gettrace()
    _State.collecting, _State.session = True, session
    began = time.time()
    yield
    _phases(began, time.time())


def _phases(began, ended):
    """When collection began and ended, for the bench's split of a run's time (timing only:
    nothing a verdict rests on)."""
    if _GUARD:
        with open(_GUARD + ".phases", "w") as f:
            json.dump({"collect_start": began, "collect_end": ended}, f)


def pytest_collection_modifyitems(session, config, items):
    for item in items:
        code = getattr(getattr(item, "obj", None), "__code__", None)
        if code is not None:
            _State.codes[item.nodeid] = code


def pytest_plugin_registered(plugin, manager):
    if not _State.collecting:
        return
    module = sys.modules.get(getattr(plugin, "__module__", "") or "", plugin)
    path = str(getattr(plugin, "__file__", None) or getattr(module, "__file__", None) or "")
    if path.startswith(WORK + "/") and not path.endswith("conftest.py"):
        _finding("a plugin was registered from the work tree: %s" % path[len(WORK) + 1:])


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


def _runtest_originals():
    """`runtest` of pytest's own item classes as imported: a plain function's and a
    unittest.TestCase method's (a subclass with a `runtest` of its own)."""
    found = {}
    for module, name in (("_pytest.python", "Function"), ("_pytest.unittest", "TestCaseFunction")):
        try:
            owner = getattr(__import__(module, fromlist=[name]), name)
        except (ImportError, AttributeError):
            continue
        if "runtest" in owner.__dict__:
            found[owner] = owner.__dict__["runtest"]
    return found


_RUNTEST = _runtest_originals()


def _check_item(item):
    replaced = "runtest" in getattr(item, "__dict__", {})
    if not replaced:
        owner = next((c for c in type(item).__mro__ if "runtest" in c.__dict__), None)
        replaced = owner in _RUNTEST and owner.__dict__["runtest"] is not _RUNTEST[owner]
    if replaced:
        _finding("%s: its runtest was replaced" % item.nodeid)
    code = getattr(getattr(item, "obj", None), "__code__", None)
    if item.nodeid in _State.codes and code is not _State.codes[item.nodeid]:
        _finding("%s: the test function's code was swapped" % item.nodeid)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_call(item):
    _check_item(item)
    outcome = yield
    _State.raised[item.nodeid] = outcome.excinfo is not None
    _check_item(item)
    _check_machinery()


def pytest_runtest_logreport(report):
    if report.when == "call" and report.passed and _State.raised.get(report.nodeid):
        _finding("%s: raised, yet reported passed" % report.nodeid)
    timeout = TIMEOUT_MARK in str(getattr(report, "longrepr", "") or "")
    _progress({"id": report.nodeid, "when": report.when, "outcome": report.outcome,
               "duration": getattr(report, "duration", 0.0), "timeout": timeout})
    if timeout and report.nodeid in _STOP_ON_TIMEOUT and _State.session is not None:
        _State.session.shouldstop = "%s timed out again, as on the base tree" % report.nodeid


@pytest.hookimpl(hookwrapper=True)
def pytest_sessionfinish(session, exitstatus):
    yield
    _check_machinery()
    xml = getattr(session.config.option, "xmlpath", None)
    digest = None
    if xml and os.path.exists(xml):
        with open(xml, "rb") as f:
            digest = hashlib.sha256(f.read()).hexdigest()
    record = json.dumps({"key": _KEY, "sha256": digest, "exitstatus": int(exitstatus),
                         "tamper": _State.findings}) + "\n"
    if _FD >= 0:
        try:
            os.write(_FD, record.encode())
            os.close(_FD)
        except OSError:
            pass
