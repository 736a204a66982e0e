"""The sandbox against real containers: verdicts, reset, limits, parallelism, cleanup."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import anyio
import docker
import pytest

from sandbox import Outcome, RunSpec, SandboxConfig, SandboxPool, Session
from sandbox.container import MANAGED, RUN_ID
from sandbox.pool import Diff
from tests.sandbox_helpers import EVIL, OTHERS, diff_of, run_body
from tests.sandbox_helpers import RUN_ID as TEST_RUN

pytestmark = pytest.mark.docker
FAST = SandboxConfig(run_timeout_s=30, test_timeout_s=3, host_grace_s=10, memory="512m")


@pytest.fixture
def session(docker_client: docker.DockerClient, evil_image: str):
    with Session(docker_client, evil_image, FAST, RunSpec()) as s:
        yield s


def test_pristine_run_passes_every_test(session: Session):
    verdict = session.verify("")
    assert verdict.applied
    assert verdict.all_passed
    assert set(verdict.tests) == {TEST_RUN, *OTHERS}
    assert verdict.exit_code == 0
    assert verdict.runner_s > 0


def test_breaking_patch_fails_only_its_test(session: Session):
    before = (EVIL / "evil" / "__init__.py").read_text()
    diff = diff_of("evil/__init__.py", before, before.replace("2 * x", "2 + x"))
    verdict = session.verify(diff, [*OTHERS, TEST_RUN])
    assert verdict.outcome("tests/test_evil.py::test_double") == Outcome.PASSED  # 2+2 == 2*2
    assert verdict.outcome("tests/test_evil.py::test_double_zero") == Outcome.FAILED
    assert "assert 2 == 0" in verdict.tests["tests/test_evil.py::test_double_zero"].message
    assert verdict.outcome(TEST_RUN) == Outcome.PASSED


def test_patch_that_does_not_apply_is_a_failed_candidate_with_a_reason(session: Session):
    diff = diff_of("evil/__init__.py", "def nothing():\n    pass\n", "def nothing():\n    x\n")
    verdict = session.verify(diff, [TEST_RUN])
    assert not verdict.applied
    assert "does not apply" in verdict.reason


def test_reset_between_candidates_restores_the_pristine_tree(session: Session):
    container = session.start().container
    assert container is not None
    container_id = container.id
    leave_mess = run_body("""
        import os, pathlib
        pathlib.Path("evil/__init__.py").write_text("BROKEN")
        pathlib.Path("new_file.txt").write_text("x")
        os.chmod("evil", 0o000)
    """)
    assert session.verify(leave_mess, [TEST_RUN]).passed([TEST_RUN])
    verdict = session.verify(run_body("import os; assert not os.path.exists('new_file.txt')"))
    assert verdict.all_passed, verdict.log_tail
    assert session.container is not None
    assert session.container.id == container_id, "reset must reuse the warm container"


def test_unknown_test_id_is_missing(session: Session):
    verdict = session.verify("", ["tests/test_evil.py::test_nope"])
    assert verdict.outcome("tests/test_evil.py::test_nope") == Outcome.MISSING
    assert not verdict.passed(["tests/test_evil.py::test_nope"])


def test_fail_fast_stops_at_first_failure(session: Session):
    verdict = session.verify(run_body("assert False"), [TEST_RUN, *OTHERS], fail_fast=True)
    assert verdict.outcome(TEST_RUN) == Outcome.FAILED
    assert all(verdict.outcome(t) == Outcome.MISSING for t in OTHERS)


def test_parallel_verification_gives_one_verdict_per_candidate_in_order(evil_image: str):
    diffs = [Diff(run_body(f"assert {i} % 2 == 0"), f"c{i}") for i in range(6)]

    async def go():
        async with SandboxPool(evil_image, config=FAST.model_copy(update={"capacity": 2})) as pool:
            return await pool.verify(diffs, [TEST_RUN]), len(pool._all)

    verdicts, containers = anyio.run(go)
    assert [v.candidate_id for v in verdicts] == [d.id for d in diffs]
    assert [v.passed([TEST_RUN]) for v in verdicts] == [i % 2 == 0 for i in range(6)]
    assert containers == 2


def test_cancelled_run_leaves_no_container(docker_client: docker.DockerClient, evil_image: str):
    async def go():
        async with SandboxPool(evil_image, config=FAST) as pool:
            with anyio.move_on_after(1.5):
                await pool.verify([Diff(run_body("import time; time.sleep(20)"), "slow")])
            return pool

    start = time.monotonic()
    anyio.run(go)
    assert time.monotonic() - start < 10
    from sandbox.container import RUN_ID_VALUE

    left = docker_client.containers.list(
        all=True, filters={"label": [f"{MANAGED}=true", f"{RUN_ID}={RUN_ID_VALUE}"]})
    assert left == []


def test_a_pool_serves_on_after_a_cancelled_run_and_never_reuses_its_session(
    docker_client: docker.DockerClient, evil_image: str
):
    """The engine cuts a round at its deadline: the cancelled run's session (its worker thread
    abandoned, still holding it) is retired, so the next run gets a fresh container that the
    abandoned thread cannot close under it."""
    one = FAST.model_copy(update={"capacity": 1})

    async def go() -> tuple[bool, int, bool]:
        async with SandboxPool(evil_image, config=one) as pool:
            await pool.warm()
            (cancelled,) = pool._idle
            with anyio.move_on_after(1.5):
                await pool.verify([Diff(run_body("import time; time.sleep(20)"), "slow")])
            (verdict,) = await pool.verify([Diff(run_body("import time; time.sleep(1)"),
                                                 "next")], [TEST_RUN])
            return (verdict.passed([TEST_RUN]), pool.infra_retries,
                    cancelled in pool._idle or cancelled.container is not None)

    passed, retries, reused = anyio.run(go)
    assert (passed, retries, reused) == (True, 0, False)
    from sandbox.container import RUN_ID_VALUE

    left = docker_client.containers.list(
        all=True, filters={"label": [f"{MANAGED}=true", f"{RUN_ID}={RUN_ID_VALUE}"]})
    assert left == []


def test_sigkilled_run_is_cleaned_by_reap(docker_client: docker.DockerClient, evil_image: str):
    script = (
        "import anyio, sys\n"
        "from sandbox import SandboxPool\n"
        "async def main():\n"
        f"    pool = SandboxPool({evil_image!r})\n"
        "    await pool.warm(2)\n"
        "    print('ready', flush=True)\n"
        "    await anyio.sleep(600)\n"
        "anyio.run(main)\n"
    )
    env = {**os.environ, "SOLVER_RUN_ID": "killed-run-test"}
    child = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, env=env)
    assert child.stdout is not None
    try:
        assert child.stdout.readline().strip() == b"ready"
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait()
        child.stdout.close()
    label: dict[str, str | list[str] | bool] = {
        "label": [f"{MANAGED}=true", f"{RUN_ID}=killed-run-test"]
    }
    assert len(docker_client.containers.list(all=True, filters=label)) == 2
    done = subprocess.run([sys.executable, "-m", "solver.cli", "sandbox", "reap"],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert docker_client.containers.list(all=True, filters=label) == []


def test_coverage_run_returns_per_test_contexts(session: Session, tmp_path):
    import coverage

    result = session.collect_coverage()
    assert result.verdict.all_passed
    assert result.data is not None
    data_file = tmp_path / "coverage"
    data_file.write_bytes(result.data)
    data = coverage.CoverageData(basename=str(data_file))
    data.read()
    contexts = data.measured_contexts()
    assert any(c.startswith("tests/test_evil.py::test_double_zero") for c in contexts)
    module = next(f for f in data.measured_files() if f.endswith("evil/__init__.py"))
    by_line = data.contexts_by_lineno(module)
    body_line = next(n for n, text in enumerate(
        (EVIL / "evil/__init__.py").read_text().splitlines(), 1) if "2 * x" in text)
    assert any("test_double" in c for c in by_line[body_line])
    assert not any("test_run" in c for c in by_line[body_line])


@pytest.mark.docker
def test_prune_removes_old_unused_cache_images_only(docker_client, env_image: str) -> None:
    import uuid

    from sandbox.image_cache import prune_images

    repository = f"solver-test-prune-{uuid.uuid4().hex[:8]}"
    container = docker_client.containers.create(env_image, ["true"])
    try:
        container.commit(repository=repository, tag="old")
        container.commit(repository=repository, tag="used")
    finally:
        container.remove()
    user = docker_client.containers.create(f"{repository}:used", ["true"])
    try:
        assert prune_images(docker_client, 3600, repositories=[repository]) == []  # too young
        assert prune_images(docker_client, 0, dry_run=True, repositories=[repository]) == [
            f"{repository}:old"]
        assert prune_images(docker_client, 0, repositories=[repository]) == [f"{repository}:old"]
        assert [t for i in docker_client.images.list(name=repository) for t in i.tags] == [
            f"{repository}:used"]
    finally:
        user.remove()
        docker_client.images.remove(f"{repository}:used")
