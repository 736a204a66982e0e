"""Verdicts a candidate cannot forge (issue 22), against real containers.

The target (tests/data/calc_repo): `add` returns `a - b`, so tests/test_calc.py::test_add fails,
and no patch here fixes it. Every attack must end in a verdict that does not pass test_add, or,
for test-gaming that really passes, one that carries its `gaming` finding. Most payloads spell
their names in pieces: where a structural defence is meant to hold on its own (the driver's
channel, the guard's record, the runner), the test asserts that defence's own evidence, not the
static screen's. All share one container per mode: the cold runner, and children of the warm
test process (issue 20).
"""

from __future__ import annotations

from collections.abc import Callable

import docker
import pytest

from sandbox import Outcome, RunSpec, SandboxConfig, Session, Verdict, ensure_session_image
from sandbox.diffcheck import PatchRejected, check_changes
from sandbox.reply import NO_REPORT
from tests import redteam as red
from tests.redteam import CALC, FAILING, PASSING, calc_patch, file_diff

pytestmark = pytest.mark.docker
LIMITS = SandboxConfig(run_timeout_s=30, test_timeout_s=5, host_grace_s=15, memory="512m",
                       pids=64, file_size_mb=64, tmp_mb=96)
ALL = [FAILING, *PASSING]


@pytest.fixture(scope="module", params=["cold", "warm"])
def session(docker_client: docker.DockerClient, env_image: str, request: pytest.FixtureRequest):
    """Every attack against the cold runner and against a child of the warm test process."""
    image = ensure_session_image(docker_client, env_image, CALC)
    limits = LIMITS.model_copy(update={"warm_process": request.param == "warm"})
    with Session(docker_client, image, limits, RunSpec()) as s:
        yield s


def tamper(text: str) -> Callable[[Verdict], bool]:
    return lambda v: any(f.kind == "tamper" and text in f.detail for f in v.integrity)


def reason(text: str) -> Callable[[Verdict], bool]:
    return lambda v: text in v.reason


def really_failed(v: Verdict) -> bool:
    """The real outcome reached the host: the driver's answer was not replaced."""
    return v.outcome(FAILING) == Outcome.FAILED and "assert -1 == 5" in v.tests[FAILING].message


def screened(text: str) -> Callable[[Verdict], bool]:
    return lambda v: any(f.kind == "screen" and text in f.detail for f in v.integrity)


FORGERIES = [
    # hole 1: a line written to the driver's stdout through /proc, then the driver killed
    ("forge-driver-line", red.FORGE_DRIVER_LINE, really_failed),
    # hole 5: in-process tampering, each caught by the guard's own evidence
    ("noop-runtest", red.NOOP_RUNTEST, tamper("runtest")),
    ("patch-test-report", red.PATCH_REPORTS, tamper("from_item_and_call")),
    ("plugin-through-gc", red.PLUGIN_THROUGH_GC, tamper("plugin was registered")),
    ("swap-code-under-profile", red.SWAP_CODE_UNDER_PROFILE, tamper("profile")),
    ("fake-report-and-exit", red.FAKE_REPORT_AND_EXIT, reason("no guard record")),
    ("atexit-phantom-failure", red.ATEXIT_REWRITE, reason("changed after pytest wrote it")),
    # red team: further attacks
    ("daemon-rewrites-report", red.DAEMON_REWRITES_REPORT,
     lambda v: really_failed(v) or "changed after pytest wrote it" in v.reason),
    ("steal-guard-key", red.STEAL_GUARD_KEY, screened("signals at once")),
    ("progress-then-suicide", red.PROGRESS_THEN_SUICIDE, reason("no test report")),
    ("hide-the-report", red.CHMOD_STATE, lambda v: not v.passed([FAILING])),
    ("kill-the-driver", red.KILL_DRIVER, really_failed),
    ("ptrace-the-driver", red.PTRACE_DRIVER, really_failed),
    ("fill-tmp", red.FILL_TMP, lambda v: not v.passed([FAILING])),
]


@pytest.mark.parametrize(("name", "payload", "evidence"), FORGERIES,
                         ids=[f[0] for f in FORGERIES])
def test_forged_verdicts_do_not_pass(session: Session, name: str, payload: str,
                                     evidence: Callable[[Verdict], bool]):
    verdict = session.verify(calc_patch(top=payload), ALL)
    assert verdict.applied, verdict.reason
    assert not verdict.passed([FAILING]), (name, verdict.reason)
    assert evidence(verdict), (name, verdict.reason, verdict.integrity)


PLUGIN = {"calc/plug.py": red.PASS_EVERYTHING_PLUGIN}
TEST_FILE = (CALC / "tests" / "test_calc.py").read_text()
EDITED_TEST = TEST_FILE.replace("== 5", "== -1")


def spaced(diff: str) -> str:
    """Header lines spelled with two spaces, which git reads and a regex may not."""
    return (diff.replace("+++ b/", "+++  b/").replace("--- a/", "---  a/")
            .replace("diff --git a/", "diff --git  a/"))


REJECTED = [
    # hole 2: the runner shadowed by a new top-level module
    ("fake-pytest", calc_patch(files={"pytest.py": red.FAKE_RUNNER}), "shadows"),
    ("fake-guard", calc_patch(files={"solver_guard.py": red.FAKE_RUNNER}), "shadows"),
    ("fake-_pytest", calc_patch(files={"_pytest/__init__.py": red.FAKE_RUNNER}), "shadows"),
    ("stdlib-json", calc_patch(files={"json.py": "dumps = None\n"}), "shadows"),
    ("installed-pluggy", calc_patch(files={"pluggy/__init__.py": "x = 1\n"}), "shadows"),
    # hole 3: header spellings git reads
    ("two-spaces-test-edit", spaced(file_diff("tests/test_calc.py", TEST_FILE, EDITED_TEST)),
     "touches the tests"),
    ("two-spaces-conftest", spaced(calc_patch(files={"conftest.py": red.PASS_EVERYTHING_PLUGIN})),
     "touches the tests"),
    ("rename-old-new", "diff --git  a/calc/__init__.py b/conftest.py\nsimilarity index 100%\n"
     "rename old calc/__init__.py\nrename new conftest.py\n", "touches the tests"),
    ("symlink-two-spaces", "diff --git  a/link b/link\nnew file mode  120000\n--- /dev/null\n"
     "+++ b/link\n@@ -0,0 +1 @@\n+/opt/pristine\n\\ No newline at end of file\n", "symlink"),
    ("gitlink", "diff --git  a/sub b/sub\nnew file mode  160000\nindex 0000000..1234567\n"
     "--- /dev/null\n+++ b/sub\n@@ -0,0 +1 @@\n+Subproject commit "
     "1234567890123456789012345678901234567890\n", "submodule"),
    ("octal-quoted-path", file_diff("tests/test_calc.py", TEST_FILE, EDITED_TEST).replace(
        "a/tests/test_calc.py", '"a/t\\145sts/test_calc.py"').replace(
        "b/tests/test_calc.py", '"b/t\\145sts/test_calc.py"'), "touches the tests"),
    # hole 4: every file pytest reads its configuration from
    *[(f"config-{name}", calc_patch(files={name: "[pytest]\naddopts = -p calc.plug\n", **PLUGIN}),
       "configuration") for name in ("pytest.toml", ".pytest.toml", ".pytest.ini")],
]


@pytest.mark.parametrize(("name", "diff", "why"), REJECTED, ids=[r[0] for r in REJECTED])
def test_patches_judged_by_effect_are_rejected(session: Session, name: str, diff: str, why: str):
    verdict = session.verify(diff, ALL)
    assert not verdict.applied, (name, verdict.reason)
    assert why in verdict.reason, (name, verdict.reason)


def test_the_effect_check_sees_what_git_applied_without_the_host_check(session: Session):
    """Sent straight to the driver (no host check): the container reports the new module and
    the symlink, and the effect policy refuses both."""
    diff = red.file_diff("pytest.py", "", "x = 1\n") + (
        "diff --git a/link b/link\nnew file mode 120000\n--- /dev/null\n+++ b/link\n"
        "@@ -0,0 +1 @@\n+/opt/pristine\n\\ No newline at end of file\n")
    raw = session._run_driver(session._request(diff, [FAILING], "effect", False, None))
    assert ["A", "000000", "120000", "link"] in raw["changes"]
    assert any("pytest.py" in s for s in raw["shadows"])
    with pytest.raises(PatchRejected, match="symlink"):
        check_changes(raw["changes"])


def test_an_exit_status_is_never_a_verdict(session: Session):
    """hole 6: a runner without per-test reports; the candidate exits 0 at import."""
    spec = RunSpec(test_cmd=("python", "-c", "import calc"))
    shell = Session(session.client, session.image, session.config, spec,
                    session.start().container)
    verdict = shell.verify(calc_patch(top="import os\nos._exit(0)"), [FAILING])
    assert verdict.exit_code == 0
    assert not verdict.passed([FAILING])
    assert verdict.reason == NO_REPORT


def test_shared_memory_is_fresh_for_every_candidate(session: Session):
    """hole 7: a candidate fills /dev/shm; the next one still gets a multiprocessing lock."""
    session.verify(calc_patch(top=red.FILL_SHM), [FAILING])
    probe = session.run_command(["sh", "-c", "find /dev/shm -mindepth 1 | wc -l"], 20)
    assert probe.output.strip() == "0", probe
    verdict = session.verify("", PASSING)
    assert verdict.passed(PASSING), verdict.tests


GAMING = [
    # (name, patch, the flag's words, whether the test still counts as passed: flags are
    # recorded for the tournament and the user; reading the test's source is also a reject)
    ("hard-coded-inputs", calc_patch(add_body="if (a, b) == (2, 3):\n    return 5\nreturn a - b"),
     "values from the tests' assertions", True),
    ("expected-from-test-source", calc_patch(add_body="""
        import linecache, sys
        frame = sys._getframe(1)
        line = linecache.getline(frame.f_code.co_filename, frame.f_lineno)
        return int(line.split("==")[1])
    """), "reads the tests' sources", False),
    ("always-equal-int", calc_patch(
        top="class _Num(int):\n    def __eq__(self, other):\n        return True\n"
            "    __hash__ = int.__hash__",
        add_body="return _Num(a - b)"), "always true", True),
]


@pytest.mark.parametrize(("name", "diff", "flag", "passes"), GAMING, ids=[g[0] for g in GAMING])
def test_test_gaming_is_flagged(session: Session, name: str, diff: str, flag: str, passes: bool):
    verdict = session.verify(diff, ALL)
    assert verdict.applied
    assert verdict.gaming
    assert any(flag in f.detail for f in verdict.integrity), verdict.integrity
    assert verdict.passed(ALL) is passes, verdict.tests


def test_unittest_cases_are_no_tampering(session: Session):
    """pytest runs a unittest.TestCase method through an item class with a `runtest` of its
    own: that is pytest's, not a replaced one (more-itertools' suite)."""
    unit = "tests/test_unit.py::MulTests::test_mul"
    verdict = session.verify("", [unit, *PASSING])
    assert not verdict.integrity, verdict.integrity
    assert verdict.passed([unit, *PASSING]), verdict.tests
