"""The failure taxonomy (issue 19): what the machinery's failures are called, how a run's
results count them apart, and which lines `--retry-infra` takes back."""

from __future__ import annotations

import errno
import json
from pathlib import Path

import docker.errors
import pytest
import requests

from sandbox.errors import SandboxError
from sandbox.faults import InfraError, infra_cause, is_network_failure, retry_network
from solver.faults import failure_cause, infra_message
from solver.generators.llm.errors import BudgetExceeded, EndpointDown
from solver.harness.evaluate import RESULTS, drop_infra_errors, read_results
from solver.harness.report import outcome_line, summarize_run
from solver.harness.results import TaskResult

PIP_OFFLINE = """WARNING: Retrying (Retry(total=0, connect=None, read=None, redirect=None,
status=None)) after connection broken by 'NewConnectionError('<pip._vendor.urllib3.connection.
HTTPConnection object at 0x7f>: Failed to establish a new connection: [Errno 111] Connection
refused')': /simple/nosuchpkg/
ERROR: Could not find a version that satisfies the requirement nosuchpkg (from versions: none)"""


def raised(exc: Exception, inside: Exception) -> Exception:
    """`inside` raised while handling `exc` (its __context__), as in real code."""
    try:
        try:
            raise exc
        except Exception:  # noqa: BLE001
            raise inside  # noqa: B904 - the implicit context is the point
    except Exception as outer:  # noqa: BLE001
        return outer


@pytest.mark.parametrize(("exc", "cause"), [
    (docker.errors.NotFound("No such container: 4f2a"), "container_vanished"),
    (docker.errors.APIError("409: container 4f2a is not running"), "container_vanished"),
    (docker.errors.ImageNotFound("No such image: solver-env:x"), None),
    (requests.exceptions.ConnectionError("('Connection aborted.', RemoteDisconnected())"),
     "engine"),
    (requests.exceptions.ReadTimeout("Read timed out. (read timeout=120)"), "engine"),
    (OSError(errno.ENOSPC, "No space left on device"), "disk_full"),
    (docker.errors.APIError("500: write /var/lib/docker/tmp: no space left on device"),
     "disk_full"),
    (ValueError("the task's own test id is malformed"), None),
    (BudgetExceeded("cost_usd", 1.0, 1.0), None),
])
def test_causes_are_read_off_the_exceptions_that_surface(exc: BaseException, cause) -> None:
    assert failure_cause(exc) == cause


def test_a_cause_is_found_through_chains_and_task_groups() -> None:
    inner = raised(requests.exceptions.ConnectionError("refused"),
                   SandboxError("sandbox driver failed"))
    group = ExceptionGroup("unhandled errors in a TaskGroup", [ValueError("x"), inner])
    assert infra_cause(ExceptionGroup("outer", [group])) == "engine"
    assert failure_cause(ExceptionGroup("g", [ValueError("only the task's")])) is None


def test_an_endpoint_down_is_model_endpoint_even_with_a_refused_socket_under_it() -> None:
    down = raised(ConnectionRefusedError(111, "Connection refused"),
                  EndpointDown("openai/fake", 5, "InternalServerError: scripted", 500))
    assert infra_cause(down) == "engine"  # what the chain alone would say
    assert failure_cause(down) == "model_endpoint"


def test_disk_full_is_one_line_naming_what_to_do() -> None:
    message = infra_message(ExceptionGroup("g", [
        raised(OSError(errno.ENOSPC, "No space left on device"), SandboxError("copy failed"))]))
    assert message is not None
    assert message.startswith("disk full: ")
    assert "solver images prune" in message
    assert "\n" not in message
    assert infra_message(ValueError("a task's error")) is None


def test_network_failures_of_a_build_are_retried_then_infra() -> None:
    assert is_network_failure(PIP_OFFLINE)
    assert not is_network_failure("ERROR: Invalid requirement: './missing-dir'")
    calls: list[int] = []

    def offline() -> str:
        calls.append(1)
        raise SandboxError(f"building solver-env:x failed (exit 1):\n{PIP_OFFLINE}")

    with pytest.raises(InfraError) as caught:
        retry_network(offline, "build", attempts=3, backoff_s=0)
    assert caught.value.cause == "build_network"
    assert len(calls) == 3

    def flaky() -> str:
        calls.append(1)
        if len(calls) < 5:
            raise SandboxError(PIP_OFFLINE)
        return "built"

    assert retry_network(flaky, "build", attempts=3, backoff_s=0) == "built"

    def broken() -> str:
        calls.append(1)
        raise SandboxError("the install failed (exit 1): ERROR: Invalid requirement")

    calls.clear()
    with pytest.raises(SandboxError) as plain:
        retry_network(broken, "build", attempts=3, backoff_s=0)
    assert not isinstance(plain.value, InfraError)
    assert len(calls) == 1


def test_status_is_filled_for_lines_written_before_the_taxonomy() -> None:
    old = [{"instance_id": "a", "plausible": True}, {"instance_id": "b", "plausible": False},
           {"instance_id": "c", "plausible": False, "error": "SandboxError: x"}]
    assert [TaskResult.model_validate(o).status for o in old] == [
        "resolved", "unresolved", "error"]
    infra = TaskResult(instance_id="d", plausible=False, error="ConnectionError", cause="engine")
    assert infra.status == "infra_error"
    assert not infra.ran


def test_rates_are_over_the_tasks_that_ran_and_each_outcome_is_counted_apart() -> None:
    results = [TaskResult(instance_id="a", plausible=True),
               TaskResult(instance_id="b", plausible=False),
               TaskResult(instance_id="c", plausible=False, error="TaskLoadError: bad"),
               TaskResult(instance_id="d", plausible=False, error="x", cause="engine"),
               TaskResult(instance_id="e", plausible=False, error="y", cause="model_endpoint")]
    summary = summarize_run(results)
    assert (summary["attempted"], summary["resolved"], summary["unresolved"]) == (2, 1, 1)
    assert (summary["errors"], summary["infra_errors"]) == (1, 2)
    assert summary["infra_causes"] == {"engine": 1, "model_endpoint": 1}
    assert summary["resolve_rate"] == 0.5
    assert outcome_line(summary) == (
        "resolved 1/2 that ran (rate 0.5); unresolved 1, error 1, infra_error 2 "
        "(engine 1, model_endpoint 1)")


def test_retry_infra_takes_back_only_the_infra_lines(tmp_path: Path) -> None:
    lines = [TaskResult(instance_id="a", plausible=True).model_dump_json(),
             json.dumps({"instance_id": "b", "plausible": False, "error": "x",
                         "cause": "model_endpoint"}),
             json.dumps({"instance_id": "c", "plausible": False, "error": "task broken"}),
             json.dumps({"instance_id": "d", "plausible": False})]  # an old line, no status
    (tmp_path / RESULTS).write_text("".join(f"{line}\n" for line in lines))
    assert drop_infra_errors(tmp_path) == ["b"]
    kept = (tmp_path / RESULTS).read_text().splitlines()
    assert kept == [lines[0], lines[2], lines[3]]  # byte for byte, in order
    assert [r.instance_id for r in read_results(tmp_path)] == ["a", "c", "d"]
    assert drop_infra_errors(tmp_path) == []
