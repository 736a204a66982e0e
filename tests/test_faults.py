"""Fault injection, for real (issue 19): a container removed from outside mid-verification, a
private Docker engine restarted mid-eval, a package index that cannot be reached, a model
endpoint that fails for good. Each is bounded in time; after each, the same outcome as an
undisturbed run where the fault was survivable, `infra_error` where it was not, and no managed
container left. (Two `solver ci` runs on one engine: tests/test_ci.py.)"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import anyio
import docker
import pytest

from sandbox import SandboxConfig, SandboxPool, ensure_base_image, ensure_env_image
from sandbox.container import RUN_ID_VALUE
from sandbox.faults import InfraError
from sandbox.images import ensure_deps_image
from sandbox.pool import Diff
from sandbox.verdict import Outcome
from solver.faults import infra_message
from tests.fakellm import FakeLLM, Status, When, fake_llm_fixture  # noqa: F401
from tests.private_engine import PrivateEngine
from tests.sandbox_helpers import RUN_ID, run_body

pytestmark = pytest.mark.docker
ROOT = Path(__file__).parents[1]
BUNDLED = ROOT / "tasks" / "bundled"
PAGER = "Paginator"
"""Text only paginate-page-count's prompts hold."""
MANAGED: dict[str, str | list[str] | bool] = {"label": ["solver.managed=true"]}


def wait_for_tests_running(client: docker.DockerClient, container_id: str,
                           timeout_s: float = 30) -> None:
    """Until the tests run in the container (the verification is mid-way)."""
    deadline = time.monotonic() + timeout_s
    while True:
        processes = client.containers.get(container_id).top(ps_args="-eo pid,args")["Processes"]
        lines = [" ".join(p) for p in processes or []]
        # cold: the runner's process; warm: the server's forked child beside the server
        if (any("solver_runner" in line for line in lines)
                or sum("solver_warm" in line for line in lines) >= 2):
            return
        if time.monotonic() >= deadline:
            raise AssertionError("the verification never started its tests")
        time.sleep(0.1)


def test_a_container_removed_mid_verification_runs_again_on_a_fresh_one(
        docker_client: docker.DockerClient, evil_image: str) -> None:
    slow = Diff(run_body("import time\ntime.sleep(3)"), "slow")
    config = SandboxConfig(capacity=1, run_timeout_s=60)

    async def verify_twice() -> tuple[Any, Any, int, float]:
        async with SandboxPool(evil_image, config=config, client=docker_client) as pool:
            await pool.warm()
            (clean,) = await pool.verify([slow], [RUN_ID])
            (session,) = pool._all  # the one warm session: its container is the victim
            assert session.container is not None
            victim = str(session.container.id)

            def remove_from_outside() -> None:
                wait_for_tests_running(docker_client, victim)
                subprocess.run(["docker", "rm", "-f", victim], check=True, capture_output=True)

            start = time.monotonic()
            remover = threading.Thread(target=remove_from_outside)
            remover.start()
            (disturbed,) = await pool.verify([slow], [RUN_ID])
            remover.join()
            assert session.container is not None
            assert session.container.id != victim
            return clean, disturbed, pool.infra_retries, time.monotonic() - start

    clean, disturbed, retries, seconds = anyio.run(verify_twice)
    print(f"\n[fault] container removed mid-verification: retried {retries}x, {seconds:.1f}s")
    assert clean.tests[RUN_ID].outcome == Outcome.PASSED
    assert disturbed.tests[RUN_ID].outcome == Outcome.PASSED  # not the candidate's failure
    assert (disturbed.applied, disturbed.reason, disturbed.timed_out) == (True, "", False)
    assert retries == 1
    assert seconds < 60


def test_a_package_index_that_cannot_be_reached_is_retried_then_infra(
        docker_client: docker.DockerClient, env_image: str, tmp_path: Path,
        caplog: pytest.LogCaptureFixture) -> None:
    (tmp_path / "README").write_text("a checkout whose install needs an index\n")
    unreachable = ("pip install --retries 1 --timeout 1 --index-url http://127.0.0.1:9/simple "
                   "nosuch-package-for-faults")
    start = time.monotonic()
    with pytest.raises(InfraError) as caught:
        ensure_deps_image(docker_client, env_image, tmp_path, unreachable, [])
    seconds = time.monotonic() - start
    print(f"\n[fault] package index unreachable: infra_error after {seconds:.1f}s")
    assert caught.value.cause == "build_network"
    assert "over 3 attempts" in str(caught.value)
    assert sum("network failure on attempt" in r.message for r in caplog.records) == 2
    message = infra_message(caught.value)
    assert message is not None
    assert message.startswith("infrastructure failure (build_network)")
    assert seconds < 90
    assert docker_client.containers.list(all=True, filters={
        "label": ["solver.managed=true", f"solver.run={RUN_ID_VALUE}"]}) == []


def eval_argv(out: Path, *args: str) -> list[str]:
    return [sys.executable, "-m", "solver.cli", "eval", "run", str(BUNDLED), "--out", str(out),
            *args]


def run_cli(argv: list[str], env: dict[str, str], timeout_s: float) -> tuple[int, str, int]:
    """(exit code, stderr, pid) of one CLI run."""
    proc = subprocess.Popen(argv, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, cwd=ROOT)
    _, errors = proc.communicate(timeout=timeout_s)
    return proc.returncode, errors, proc.pid


def left_by(client: docker.DockerClient, *pids: int) -> list[str]:
    """Managed containers that the runs with these process ids left behind."""
    return [c.short_id for pid in pids for c in client.containers.list(
        all=True, filters={"label": ["solver.managed=true", f"solver.pid={pid}"]})]


def results_of(out: Path) -> dict[str, dict[str, Any]]:
    lines = (out / "results.jsonl").read_text().splitlines()
    return {json.loads(line)["instance_id"]: json.loads(line) for line in lines}


@pytest.fixture
def private_engine(docker_client: docker.DockerClient) -> Any:
    """A private engine holding the base and env images the bundled tasks need."""
    engine = PrivateEngine(Path(f"/tmp/solver-private-engine-{os.getpid()}"))
    base = ensure_base_image(docker_client)
    env = ensure_env_image(docker_client, base)
    engine.start()
    try:
        engine.load_from_shared(base, env)
        yield engine
    finally:
        engine.close()


def wait_for_any_verification(client: docker.DockerClient, proc: subprocess.Popen[str],
                              timeout_s: float = 120) -> None:
    """Until some managed container runs tests (a verification is in flight)."""
    deadline = time.monotonic() + timeout_s
    while True:
        assert time.monotonic() < deadline, "no verification started in time"
        assert proc.poll() is None, proc.communicate()[1][-3000:]
        for container in client.containers.list(filters=MANAGED):
            try:
                wait_for_tests_running(client, str(container.id), timeout_s=0)
            except (AssertionError, docker.errors.DockerException):
                continue
            return
        time.sleep(0.2)


def test_an_engine_restarted_mid_eval_ends_with_the_undisturbed_outcome(
        private_engine: PrivateEngine, tmp_path: Path) -> None:
    """Undisturbed, money-allocate is resolved at width 4, depth 1: the offline search is
    deterministic and its fourth first-round candidate (r0-3) is the fix. Here the run starts
    while the engine is down, and the engine restarts while a verification runs; the outcome
    must not change. (The 12-task comparison: tests/engine_restart_run.py.)"""
    env = {**os.environ, "DOCKER_HOST": private_engine.host}
    private_engine.stop()  # the task starts while no engine answers: it waits, not fails
    start = time.monotonic()
    proc = subprocess.Popen(eval_argv(tmp_path, "--instances", "money-allocate", "--width", "4",
                                      "--depth", "1"),
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            cwd=ROOT)
    time.sleep(8)  # past the CLI's imports: its task meets no engine
    private_engine.start()
    client = private_engine.client()
    try:
        wait_for_any_verification(client, proc)
    finally:
        client.close()
    restart_s = private_engine.restart()
    _, errors = proc.communicate(timeout=300)
    seconds = time.monotonic() - start
    print(f"\n[fault] engine restarted mid-verification ({restart_s:.1f}s down): {seconds:.1f}s")
    assert proc.returncode == 0, errors[-3000:]
    assert "running it again once the engine answers" in errors  # it met no engine
    assert errors.count("on a fresh container") + errors.count("running it again") >= 2
    result = results_of(tmp_path)["money-allocate"]
    assert (result["status"], result["cause"]) == ("resolved", ""), result["error"]
    assert seconds < 180
    client = private_engine.client()
    try:
        assert client.containers.list(all=True, filters=MANAGED) == []
    finally:
        client.close()


def test_an_endpoint_down_for_good_is_infra_error_and_retry_infra_reruns_only_those(
        fake_llm: FakeLLM, docker_client: docker.DockerClient, tmp_path: Path) -> None:
    from tests.test_llm_solve import RIGHT

    env = {**os.environ, "SOLVER_API_KEY": "sk-test", "SOLVER_MODEL_BACKOFF": "0.01",
           "SOLVER_MODEL_RETRIES": "2", "LITELLM_LOCAL_MODEL_COST_MAP": "True"}
    env.pop("SOLVER_MODEL", None)
    argv = eval_argv(tmp_path, "--instances", "money-allocate,paginate-page-count",
                     "--generator", "llm", "--model", "openai/fake", "--api-base",
                     fake_llm.base_url, "--width", "1", "--depth", "1", "--workers", "2")
    # money-allocate gets its right answer; for paginate-page-count the endpoint rate-limits,
    # then fails past the retries (2) of both passes of its round
    fake_llm.script([When("split_evenly", RIGHT), When(PAGER, Status(429, retry_after=1)),
                     *[When(PAGER, Status(500)) for _ in range(5)]])
    start = time.monotonic()
    code, errors, first_pid = run_cli(argv, env, 240)
    first_s = time.monotonic() - start
    assert code == 0, errors[-3000:]
    before = (tmp_path / "results.jsonl").read_text().splitlines()
    results = results_of(tmp_path)
    assert results["money-allocate"]["status"] == "resolved"
    assert results["paginate-page-count"]["status"] == "infra_error"
    assert results["paginate-page-count"]["cause"] == "model_endpoint"
    assert "infra_error 1 (model_endpoint 1)" in errors
    report = json.loads((tmp_path / "report.json").read_text())["summary"]
    assert (report["attempted"], report["infra_errors"], report["resolve_rate"]) == (1, 1, 1.0)

    fake_llm.requests.clear()
    fake_llm.script(["I cannot tell what is wrong here."] * 2)  # the endpoint is back
    start = time.monotonic()
    code, errors, again_pid = run_cli([*argv, "--resume", "--retry-infra"], env, 240)
    again_s = time.monotonic() - start
    print(f"\n[fault] endpoint down for good: {first_s:.1f}s; --retry-infra {again_s:.1f}s")
    assert code == 0, errors[-3000:]
    after = (tmp_path / "results.jsonl").read_text().splitlines()
    kept = [line for line in before if '"money-allocate"' in line]
    assert after[:-1] == kept  # money-allocate's line, byte for byte
    rerun = json.loads(after[-1])
    assert (rerun["instance_id"], rerun["status"]) == ("paginate-page-count", "unresolved")
    assert fake_llm.requests
    assert all(PAGER in json.dumps(r) for r in fake_llm.requests)
    assert left_by(docker_client, first_pid, again_pid) == []
