"""Hostile candidates against real containers: each ends in a clear verdict within its limit,
the host stays healthy, and nothing is left behind (checked by the suite's session fixture)."""

from __future__ import annotations

import time

import docker
import pytest

from sandbox import Outcome, RunSpec, SandboxConfig, Session
from tests.sandbox_helpers import EVIL, OTHERS, RUN_ID, diff_of, run_body

pytestmark = pytest.mark.docker
LIMITS = SandboxConfig(run_timeout_s=20, test_timeout_s=2, host_grace_s=10, memory="384m",
                       pids=64, file_size_mb=32, tmp_mb=128)


@pytest.fixture(scope="module")
def session(docker_client: docker.DockerClient, evil_image: str):
    with Session(docker_client, evil_image, LIMITS, RunSpec()) as s:
        yield s


def verify_within(session: Session, diff: str, limit_s: float, tests=(RUN_ID, *OTHERS)):
    start = time.monotonic()
    verdict = session.verify(diff, list(tests))
    assert time.monotonic() - start < limit_s, "the verdict took longer than its limit"
    return verdict


def assert_healthy(session: Session) -> None:
    """The same container (or a fresh one) still verifies the pristine tree cleanly."""
    assert session.verify("", [RUN_ID, *OTHERS]).all_passed


def test_fork_bomb(session: Session):
    verdict = verify_within(session, run_body("""
        import os
        while True:
            os.fork()
    """), 40)
    assert not verdict.passed([RUN_ID])
    assert_healthy(session)


def test_memory_bomb(session: Session):
    verdict = verify_within(session, run_body("""
        hoard = []
        while True:
            hoard.append(bytearray(32 * 1024 * 1024))
    """), 40)
    assert not verdict.passed([RUN_ID])
    assert_healthy(session)


def test_infinite_loop_fails_alone(session: Session):
    verdict = verify_within(session, run_body("while True:\n    pass"), 15)
    assert verdict.outcome(RUN_ID) == Outcome.TIMEOUT
    assert all(verdict.outcome(t) == Outcome.PASSED for t in OTHERS)


def test_loop_that_ignores_the_alarm_is_killed_as_stalled(session: Session):
    """No progress record for the test's limit plus a grace: the driver kills the run long
    before the run deadline (20 s here)."""
    verdict = verify_within(session, run_body("""
        import signal, time
        signal.signal(signal.SIGALRM, signal.SIG_IGN)
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.setitimer = lambda *a: None
        while True:
            time.sleep(0.1)
    """), 15)
    assert verdict.timed_out
    assert verdict.outcome(RUN_ID) == Outcome.TIMEOUT
    assert not verdict.passed([RUN_ID])
    assert_healthy(session)


def test_a_loop_inside_c_code_is_killed_as_stalled(session: Session):
    """`x in itertools.count()` never returns to the interpreter, so the alarm cannot fire."""
    verdict = verify_within(session, run_body("""
        import itertools
        assert -1 in itertools.count()
    """), 15)
    assert verdict.timed_out
    assert verdict.outcome(RUN_ID) == Outcome.TIMEOUT
    assert_healthy(session)


def test_printing_a_gigabyte(session: Session):
    verdict = verify_within(session, run_body("""
        import os
        chunk = b"x" * (1 << 20)
        for _ in range(1024):
            os.write(1, chunk)
    """), 40)
    assert not verdict.passed([RUN_ID])
    assert len(verdict.log_tail) <= LIMITS.log_cap
    assert_healthy(session)


def test_network_is_unreachable(session: Session):
    verdict = verify_within(session, run_body("""
        import socket
        socket.create_connection(("1.1.1.1", 80), timeout=3).close()
    """), 15)
    assert verdict.outcome(RUN_ID) == Outcome.FAILED
    assert "unreachable" in verdict.tests[RUN_ID].message.lower()


def test_writes_outside_the_repo_fail(session: Session):
    for target in ("/etc/evil", "/opt/pristine/evil/__init__.py", "/opt/solver/driver.py",
                   "/usr/lib/evil.pth"):
        verdict = verify_within(session, run_body(f"open({target!r}, 'w').write('x')"), 15)
        assert verdict.outcome(RUN_ID) == Outcome.FAILED, target
        message = verdict.tests[RUN_ID].message
        assert "Read-only file system" in message or "Permission denied" in message
    assert_healthy(session)


def test_daemon_left_running_does_not_reach_the_next_candidate(session: Session):
    verdict = verify_within(session, run_body("""
        import os, signal, time
        if os.fork() == 0:
            os.setsid()
            time.sleep(1.5)
            open("evil/__init__.py", "w").write("def run():\\n    return 2\\n")
            os.kill(os.getpid(), signal.SIGKILL)
    """), 15)
    assert verdict.passed([RUN_ID])
    time.sleep(2)
    assert_healthy(session)


@pytest.mark.parametrize(
    ("path", "why"),
    [("../escape.py", ".."), ("tests/test_evil.py", "tests"), ("conftest.py", "tests"),
     ("pyproject.toml", "tests"), ("/tmp/abs.py", "absolute")],
)
def test_patches_to_forbidden_paths_are_rejected(session: Session, path: str, why: str):
    verdict = session.verify(diff_of(path, "", "def test_run():\n    pass\n"), [RUN_ID])
    assert not verdict.applied
    assert why in verdict.reason


def test_symlink_patch_is_rejected(session: Session):
    diff = ("diff --git a/evil/link.py b/evil/link.py\nnew file mode 120000\n--- /dev/null\n"
            "+++ b/evil/link.py\n@@ -0,0 +1 @@\n+/etc/passwd\n\\ No newline at end of file\n")
    verdict = session.verify(diff, [RUN_ID])
    assert not verdict.applied
    assert "symlink" in verdict.reason


def test_patch_editing_a_test_to_pass_is_rejected(session: Session):
    before = (EVIL / "tests" / "test_evil.py").read_text()
    diff = diff_of("tests/test_evil.py", before, before.replace("== 4", "== 5"))
    verdict = session.verify(diff, OTHERS)
    assert not verdict.applied
    assert "touches the tests" in verdict.reason


def test_conftest_smuggled_through_a_new_package_dir_is_rejected(session: Session):
    verdict = session.verify(diff_of("evil/conftest.py", "", "collect_ignore = ['x']\n"))
    assert not verdict.applied


def test_rewriting_its_own_report_is_noticed(session: Session):
    forged = run_body("""
        import atexit, sys
        path = [a.split("=", 1)[1] for a in sys.argv if a.startswith("--junitxml=")][0]
        def forge():
            open(path, "w").write(
                '<testsuite><testcase classname="tests.test_evil" name="test_run"'
                ' file="tests/test_evil.py"/></testsuite>')
        atexit.register(forge)
        raise RuntimeError("the real outcome")
    """)
    verdict = verify_within(session, forged, 15, tests=[RUN_ID])
    assert not verdict.passed([RUN_ID])
    assert "report" in verdict.reason
