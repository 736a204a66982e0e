"""Timeouts are evidence, not cost (issue 16): a test that timed out on the base tree and times
out again stops a candidate's run there, and the behaviour probe's trace of a looping base stops
at the first test past its deadline and says which. tests/data/looping_repo loops on odd input."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import time
from pathlib import Path

import docker
import pytest

from sandbox import SandboxConfig, Session
from sandbox.session import RunSpec
from sandbox.verdict import Outcome
from solver.analysis.failures import failure_key, looping_note, timed_out
from solver.selection.prober import MARKER, probe_argv

REPO = Path(__file__).parent / "data" / "looping_repo"
EVEN, ODD, ZERO = (f"tests/test_steps.py::test_{n}" for n in ("even", "odd", "zero"))
STEPS = {"id": "pkg/steps.py::steps", "path": "pkg/steps.py", "name": "steps",
         "qualname": "steps", "lines": [1, 7], "method": False}


def test_timed_out_tests_are_read_from_the_base_failures() -> None:
    baseline = {ODD: failure_key("timeout", "solver-guard: test exceeded its time limit (3s)"),
                EVEN: failure_key("failed", "assert 1 == 2")}
    assert timed_out(baseline) == frozenset({ODD})
    assert looping_note(timed_out(baseline)).startswith("the base tree loops: 1 test(s)")
    assert looping_note([]) == ""


def test_the_trace_of_a_looping_base_stops_at_its_first_test_past_the_deadline(
        tmp_path: Path) -> None:
    root = tmp_path / "repo"
    shutil.copytree(REPO, root, ignore=shutil.ignore_patterns("__pycache__"))
    request = {"targets": [STEPS], "pytest_args": ["-p", "no:cacheprovider", "-q"],
               "test_ids": [EVEN, ODD, ZERO], "max_calls": 20, "max_inputs": 20,
               "max_blob": 4000, "max_total_bytes": 100_000, "max_total_inputs": 50,
               "budget_s": 120.0, "test_timeout_s": 1.0}
    argv = probe_argv(RunSpec(test_cmd=(sys.executable, "-m", "pytest")), "trace", request)
    start = time.monotonic()
    done = subprocess.run(argv, cwd=root, capture_output=True, text=True, timeout=60)
    elapsed = time.monotonic() - start
    [line] = [x for x in done.stdout.splitlines() if x.startswith(MARKER)]
    answer = json.loads(line[len(MARKER):])
    assert answer["timed_out"] == [ODD]
    assert elapsed < 15
    assert answer["seen"]["pkg/steps.py::steps"] == 2  # even's call, then odd's; zero not run
    assert {i["call"] for i in answer["inputs"] if i["origin"] == "test"} >= {"steps(4)"}


@pytest.mark.docker
def test_a_base_timeout_that_recurs_stops_the_run(docker_client: docker.DockerClient,
                                                  env_image: str) -> None:
    from sandbox import ensure_session_image

    image = ensure_session_image(docker_client, env_image, REPO)
    config = SandboxConfig(run_timeout_s=60, test_timeout_s=2, host_grace_s=10, memory="512m")
    spec = RunSpec(test_cmd=("python", "-m", "pytest"))
    order = [ODD, EVEN, ZERO]
    with Session(docker_client, image, config, spec) as session:
        kept_going = session.verify("", order)
        stopped = session.verify("", order, stop_on_timeout=[ODD])
        other = session.verify("", order, stop_on_timeout=[ZERO])
    assert kept_going.outcome(ODD) == Outcome.TIMEOUT
    assert kept_going.outcome(EVEN) == kept_going.outcome(ZERO) == Outcome.PASSED
    assert stopped.outcome(ODD) == Outcome.TIMEOUT
    assert stopped.outcome(EVEN) == stopped.outcome(ZERO) == Outcome.MISSING
    assert stopped.runner_s < kept_going.runner_s + 1
    assert other.outcome(EVEN) == Outcome.PASSED  # a timeout of another test does not stop it
