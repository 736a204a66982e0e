"""solver eval --executor ray: a real one-node Ray cluster of the test's own, the same results as
a local run; and the install hint where Ray is missing."""

from __future__ import annotations

import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import anyio
import docker
import pytest
from typer.testing import CliRunner

from solver.cli import app
from solver.harness.evaluate import RESULTS, read_results
from solver.harness.executors import RayExecutor
from solver.harness.results import TaskResult
from tasks.model import Task

ROOT = Path(__file__).parents[1]
BUNDLED = ROOT / "tasks" / "bundled"
PAIR = "interval-merge,stats-sample-variance"
"""Two of the quickest bundled tasks at width 4, depth 1 (about 3 s each; both solved)."""


def test_executor_ray_without_ray_names_the_extra(monkeypatch: pytest.MonkeyPatch,
                                                   tmp_path: Path):
    monkeypatch.setitem(sys.modules, "ray", None)  # `import ray` raises ImportError
    result = CliRunner().invoke(app, ["eval", str(BUNDLED), "--out", str(tmp_path / "run"),
                                      "--instances", PAIR, "--executor", "ray"])
    assert result.exit_code == 2, result.output
    assert "pip install 'tts-solver[ray]'" in result.output
    assert not (tmp_path / "run").exists()


@dataclass(frozen=True)
class Cluster:
    address: str
    env: dict[str, str]
    """What a driver needs: the cluster's auth token, Ray's usage stats off, no RAY_ADDRESS."""
    temp_dir: Path
    group: int
    """The process group of `ray start --block` and everything it started."""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def pids_in_group(group: int) -> list[int]:
    pids = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue  # ended meanwhile
        if int(fields[2]) == group:
            pids.append(int(stat.parent.name))
    return pids


def wait_for_head(head: subprocess.Popen[bytes], log: Path, timeout_s: float = 60) -> None:
    deadline = time.monotonic() + timeout_s
    while "Ray runtime started" not in log.read_text():
        if head.poll() is not None or time.monotonic() > deadline:
            pytest.fail(f"ray start failed or hung:\n{log.read_text()[-3000:]}")
        time.sleep(0.1)


def stop_head(head: subprocess.Popen[bytes]) -> None:
    """SIGTERM makes `ray start --block` stop what it started; leftovers of its process group
    (this cluster's only) are killed. Never `ray stop`: it stops every Ray on the machine."""
    head.send_signal(signal.SIGTERM)
    try:
        head.wait(timeout=45)
    except subprocess.TimeoutExpired:
        head.kill()
        head.wait()
    deadline = time.monotonic() + 10
    while pids_in_group(head.pid) and time.monotonic() < deadline:
        time.sleep(0.2)
    if pids_in_group(head.pid):
        os.killpg(head.pid, signal.SIGKILL)


@pytest.fixture(scope="module")
def ray_cluster(docker_client: docker.DockerClient) -> Iterator[Cluster]:
    """`ray start --head --block` as a child in its own session, with a random auth token."""
    temp_dir = Path(tempfile.mkdtemp(prefix="ray-", dir="/tmp"))  # sockets need short paths
    env = {**os.environ, "RAY_AUTH_MODE": "token", "RAY_AUTH_TOKEN": secrets.token_hex(32),
           "RAY_USAGE_STATS_ENABLED": "0", "COLUMNS": "120",
           # the workers import solver from this checkout, whatever is installed
           "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))}
    env.pop("RAY_ADDRESS", None)
    port = free_port()
    log = temp_dir / "start.log"
    with log.open("wb") as out:
        head = subprocess.Popen(
            [sys.executable, "-m", "ray.scripts.scripts", "start", "--head", "--block",
             f"--port={port}", "--node-ip-address=127.0.0.1", "--num-cpus=2",
             f"--temp-dir={temp_dir}", "--disable-usage-stats", "--include-dashboard=false",
             "--object-store-memory=100000000"],
            stdout=out, stderr=subprocess.STDOUT, env=env, cwd=temp_dir, start_new_session=True)
    try:
        wait_for_head(head, log)
        yield Cluster(f"127.0.0.1:{port}", env, temp_dir, head.pid)
    finally:
        stop_head(head)
        shutil.rmtree(temp_dir, ignore_errors=True)


def solver_eval(out: Path, env: dict[str, str], *extra: str) -> None:
    command = [sys.executable, "-m", "solver.cli", "eval", str(BUNDLED), "--out", str(out),
               "--instances", PAIR, "--width", "4", "--depth", "1", "--workers", "2", *extra]
    done = subprocess.run(command, capture_output=True, text=True, timeout=180, env=env,
                          cwd=ROOT)
    assert done.returncode == 0, done.stderr[-3000:]


def stable(results: list[TaskResult]) -> list[tuple[str, bool, str]]:
    return sorted((r.instance_id, r.plausible, r.patch) for r in results)


@pytest.mark.docker
def test_ray_executor_gives_the_local_results(ray_cluster: Cluster, tmp_path: Path,
                                              docker_client: docker.DockerClient):
    solver_eval(tmp_path / "local", ray_cluster.env, "--executor", "local")
    spread = tmp_path / "ray"
    solver_eval(spread, ray_cluster.env, "--executor", "ray", "--address", ray_cluster.address)

    ids = [json.loads(line)["instance_id"] for line in (spread / RESULTS).read_text().splitlines()]
    assert sorted(ids) == sorted(PAIR.split(","))
    assert stable(read_results(spread)) == stable(read_results(tmp_path / "local"))
    predictions = (spread / "predictions.jsonl").read_text().splitlines()
    assert sorted(json.loads(p)["instance_id"] for p in predictions) == sorted(ids)
    assert json.loads((spread / "report.json").read_text())["meta"]["executor"] == "ray"
    assert (spread / "report.html").exists()
    for instance in ids:  # written by the driver from what the worker returned
        assert (spread / "trajectories" / instance / "result.json").is_file()
        assert (spread / "trajectories" / instance / "candidates.jsonl").is_file()
    logs = ray_cluster.temp_dir / "session_latest" / "logs"
    assert list(logs.glob("python-core-driver-*")), "the run did not join the test's cluster"
    workers = {log.stem.rsplit("-", 1)[1] for log in logs.glob("worker-*.out")}  # ...-<pid>.out
    assert workers
    managed = docker_client.containers.list(all=True, filters={"label": "solver.managed=true"})
    left = [c.short_id for c in managed if c.labels.get("solver.pid") in workers]
    assert not left, f"sandbox containers left by Ray workers: {left}"


async def attempt_or_raise(task: Task, run_dir: Path) -> TaskResult:
    """Stands in for solver.harness.evaluate.attempt in the workers (they import it from this
    module)."""
    if task.instance_id == "boom":
        raise RuntimeError("the worker blew up")
    folder = run_dir / "trajectories" / task.instance_id
    folder.mkdir(parents=True)
    (folder / "result.json").write_text("{}")
    return TaskResult(instance_id=task.instance_id, plausible=True, patch="p")


@pytest.mark.docker
def test_a_raising_worker_is_an_error_result_not_a_lost_task(
    ray_cluster: Cluster, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
):
    for name in ("RAY_AUTH_MODE", "RAY_AUTH_TOKEN", "RAY_USAGE_STATS_ENABLED"):
        monkeypatch.setenv(name, ray_cluster.env[name])
    monkeypatch.delenv("RAY_ADDRESS", raising=False)
    recorded: list[TaskResult] = []
    tasks = [Task(instance_id="boom"), Task(instance_id="fine")]
    anyio.run(RayExecutor(ray_cluster.address).run, tasks, tmp_path, attempt_or_raise, 2,
              recorded.append)
    by_id = {r.instance_id: r for r in recorded}
    assert sorted(by_id) == ["boom", "fine"]
    assert "the worker blew up" in by_id["boom"].error
    assert not by_id["boom"].plausible
    assert by_id["fine"].plausible
    assert not by_id["fine"].error
    assert (tmp_path / "trajectories" / "fine" / "result.json").read_text() == "{}"
