"""A session: one warm, hardened container on a session image, verifying candidates in turn.

Each verification is a single `docker exec` of the in-container driver: reset /testbed to the
pristine tree, apply the patch, run the tests under a deadline, kill leftovers, report. A container
that dies or passes its host deadline is removed and replaced on the next verification.
"""

from __future__ import annotations

import base64
import json
import secrets
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import cast

import docker
from docker.models.containers import Container

from sandbox.config import SandboxConfig
from sandbox.container import (
    ExecTimeout,
    SandboxError,
    check_alive,
    exec_exit_code,
    exec_with_input,
    remove_container,
    start_container,
)
from sandbox.diffcheck import PatchRejected, check_changes, check_patch
from sandbox.faults import as_infra
from sandbox.integrity import screen_patterns
from sandbox.reply import DriverReply, build_verdict, missing
from sandbox.swebench_ids import (
    PYTEST_USAGE_ERROR,
    pytest_selectors,
    renamed,
    with_swebench_ids,
)
from sandbox.verdict import Outcome, Verdict

DRIVER = ["python3", "-I", "-S", "/opt/solver/driver.py"]
DRIVER_USER = "0:0"
"""The driver runs as root (CAP_SETUID / CAP_SETGID only): the test user cannot signal, trace
or write to it, so its one line of output is the verdict's only source."""
DRIVER_DEATH_SETTLE_S = 2.0
"""A driver that died is watched this long for its container going too (removed from outside:
not the candidate's failure) before the candidate is blamed (its memory limit)."""
STATE = "/tmp/.solver"
COVERAGE_FILE = f"{STATE}/coverage"
COVERAGE_TOOLS = "/opt/solver-cov"
"""coverage.py and pytest-cov installed apart from the task's env (sandbox.images)."""
COVERAGE_FLAGS = ("--cov=.", "--cov-context=test", "--cov-report=", "--cov-config=/dev/null")
"""The repository's own coverage settings (parallel mode, includes) are ignored."""


@dataclass(frozen=True)
class Coverage:
    """A test run under coverage: its verdict and the coverage.py data file's bytes."""

    verdict: Verdict
    data: bytes | None


@dataclass(frozen=True)
class CommandResult:
    """What `Session.run_command` saw: exit code (None: the patch did not apply), output tail."""

    exit_code: int | None
    output: str
    timed_out: bool = False
    reason: str = ""


@dataclass(frozen=True)
class RunSpec:
    """How a task's tests run, and what a candidate may not touch."""

    test_cmd: tuple[str, ...] = ("python", "-m", "pytest")
    protected: frozenset[str] = frozenset()
    """Repo-relative paths no patch may touch, besides the usual test/config patterns."""
    extra_patch: str = ""
    """Applied after the candidate on every run (SWE-bench's test_patch)."""
    env: dict[str, str] = field(default_factory=dict)
    swebench_ids: bool = False
    """Test ids follow SWE-bench's log-derived convention (cut at a space, sandbox.swebench_ids):
    they are translated to pytest selectors on the way in and folded back on the way out."""
    node_ids: dict[str, str] = field(default_factory=dict)
    """With `swebench_ids`: ids that name a test by its function alone (`test_foo`, sympy) →
    the node id pytest selects; results come back under the ids asked for."""

    @property
    def is_pytest(self) -> bool:
        return any("pytest" in part for part in self.test_cmd)


def pytest_argv(
    spec: RunSpec, nonce: str, test_ids: Sequence[str], fail_fast: bool, coverage: bool = False,
) -> list[str]:
    flags = [*(COVERAGE_FLAGS if coverage else ()),
        "-p", "solver_guard", "-p", "no:cacheprovider", "-q", "-rf",
        f"--junitxml={STATE}/report-{nonce}.xml", "-o", "junit_family=xunit1",
    ]
    return [*spec.test_cmd, *flags, *(["-x"] if fail_fast else []), *test_ids]


class Session:
    def __init__(
        self, client: docker.DockerClient, image: str, config: SandboxConfig, spec: RunSpec,
        container: Container | None = None,
    ) -> None:
        """`container`: an already running container to drive (else one is started)."""
        self.client, self.image, self.config, self.spec = client, image, config, spec
        self.container = container
        self.verifications = 0

    def start(self) -> Session:
        if self.container is None:
            self.container = start_container(self.client, self.image, self.config)
        return self

    def close(self) -> None:
        if self.container is not None:
            remove_container(self.container)
            self.container = None

    def __enter__(self) -> Session:
        return self.start()

    def __exit__(self, *_: object) -> None:
        self.close()

    def verify(
        self,
        diff: str,
        test_ids: Sequence[str] = (),
        *,
        candidate_id: str = "",
        fail_fast: bool = False,
        extra_patch: str | None = None,
        stop_on_timeout: Sequence[str] = (),
    ) -> Verdict:
        """Apply `diff` to the pristine repo and run `test_ids` (all tests when empty).
        `stop_on_timeout`: tests that timed out on the base tree; the run stops when one of them
        times out again (the tests after it are reported missing)."""
        return self._execute(diff, test_ids, candidate_id, fail_fast, extra_patch,
                             stop_on_timeout=stop_on_timeout)[0]

    def collect_coverage(self, test_ids: Sequence[str] = (), diff: str = "") -> Coverage:
        """Run the tests under coverage.py with one context per test (pytest-cov; where the
        task's env lacks it, from COVERAGE_TOOLS: see sandbox.images.ensure_coverage_image)."""
        verdict, raw = self._execute(diff, test_ids, "coverage", False, None, coverage=True)
        blob = dict(raw.get("artifacts") or {}).get(COVERAGE_FILE)
        return Coverage(verdict=verdict, data=base64.b64decode(blob) if blob else None)

    def run_command(
        self, argv: Sequence[str], timeout_s: float, diff: str = "", *, log_cap: int | None = None,
    ) -> CommandResult:
        """Run `argv` as the test user in /testbed: the pristine tree, `diff`, the test patch.
        `log_cap`: output bytes kept, in place of the config's (a probe's answer is long)."""
        try:
            check_patch(diff, self.spec.protected)
        except PatchRejected as exc:
            return CommandResult(None, "", reason=f"rejected: {exc}")
        request = {**self._request(diff, (), secrets.token_hex(8), False, None), "argv": list(argv),
                   "timeout": min(timeout_s, self.config.run_timeout_s), "report": "", "guard": "",
                   "runner": "",
                   "log_cap": log_cap or self.config.log_cap}
        try:
            raw = self._run_driver(request)
        except ExecTimeout as exc:
            self.container = None
            return CommandResult(None, "", timed_out=True, reason=str(exc))
        applied = bool(raw.get("applied"))
        try:
            check_changes(raw.get("changes") or [], self.spec.protected, raw.get("shadows") or [])
        except PatchRejected as exc:
            return CommandResult(None, "", reason=f"rejected: {exc}")
        return CommandResult(raw.get("rc") if applied else None,
                             str(raw.get("log_tail") or ""), bool(raw.get("timed_out")),
                             str(raw.get("reason") or ""))

    def _execute(
        self, diff: str, test_ids: Sequence[str], candidate_id: str, fail_fast: bool,
        extra_patch: str | None, coverage: bool = False, stop_on_timeout: Sequence[str] = (),
    ) -> tuple[Verdict, DriverReply]:
        """One run; with SWE-bench ids, a run whose selectors pytest cannot resolve is repeated
        with every parameterized test selected by its function (a parameter pytest cannot parse
        back), and results are reported under the ids asked for."""
        if not (self.spec.swebench_ids and self.spec.is_pytest):
            return self._execute_once(diff, test_ids, candidate_id, fail_fast, extra_patch,
                                      coverage, stop_on_timeout)
        asked = list(test_ids)
        named = [self.spec.node_ids.get(t, t) for t in asked]
        verdict, raw = self._execute_once(diff, pytest_selectors(named), candidate_id,
                                          fail_fast, extra_patch, coverage,
                                          [self.spec.node_ids.get(t, t) for t in stop_on_timeout])
        if verdict.exit_code == PYTEST_USAGE_ERROR:
            verdict, raw = self._execute_once(
                diff, pytest_selectors(named, whole_functions=True), candidate_id, fail_fast,
                extra_patch, coverage)
        return renamed(with_swebench_ids(verdict, named), dict(zip(named, asked, strict=True))), raw

    def _execute_once(
        self, diff: str, test_ids: Sequence[str], candidate_id: str, fail_fast: bool,
        extra_patch: str | None, coverage: bool = False, stop_on_timeout: Sequence[str] = (),
    ) -> tuple[Verdict, DriverReply]:
        start = time.monotonic()
        try:
            check_patch(diff, self.spec.protected)
        except PatchRejected as exc:
            rejected = Verdict(candidate_id=candidate_id, applied=False, reason=f"rejected: {exc}")
            return rejected, {}
        request = self._request(diff, test_ids, secrets.token_hex(8), fail_fast, extra_patch,
                                coverage, stop_on_timeout)
        try:
            raw = self._run_driver(request)
        except ExecTimeout as exc:
            self.container = None
            return Verdict(candidate_id=candidate_id, applied=True, timed_out=True,
                           reason=str(exc), duration_s=time.monotonic() - start,
                           tests=missing(test_ids, Outcome.TIMEOUT)), {}
        self.verifications += 1
        verdict = build_verdict(raw, test_ids, self.spec.is_pytest, diff, self.spec.protected)
        return verdict.model_copy(update={
            "candidate_id": candidate_id, "duration_s": time.monotonic() - start}), raw

    def _request(
        self, diff: str, test_ids: Sequence[str], nonce: str, fail_fast: bool,
        extra_patch: str | None, coverage: bool = False, stop_on_timeout: Sequence[str] = (),
    ) -> dict[str, object]:
        spec, config = self.spec, self.config
        guard = f"{STATE}/guard-{nonce}.json" if spec.is_pytest else ""
        argv = pytest_argv(spec, nonce, test_ids, fail_fast, coverage) if spec.is_pytest else [
            *spec.test_cmd, *test_ids]
        uid, _, gid = config.user.partition(":")
        return {
            "uid": int(uid), "gid": int(gid or uid),
            "runner": "pytest" if spec.is_pytest else "",
            "warm": config.warm_process and not coverage,
            "test_ids": list(test_ids),
            "screen": screen_patterns(),
            "candidate": diff,
            "extra": spec.extra_patch if extra_patch is None else extra_patch,
            "argv": argv,
            "timeout": config.run_timeout_s,
            "env": {
                **spec.env, "SOLVER_GUARD_FILE": guard,
                "PYTHONPATH": f"/opt/solver:{COVERAGE_TOOLS}" if coverage else "/opt/solver",
                "SOLVER_TEST_TIMEOUT": str(config.test_timeout_s),
                **({"SOLVER_STOP_ON_TIMEOUT": "\n".join(stop_on_timeout)}
                   if stop_on_timeout else {}),
                **({"COVERAGE_FILE": COVERAGE_FILE} if coverage else {}),
            },
            "report": f"{STATE}/report-{nonce}.xml" if spec.is_pytest else "",
            "guard": guard,
            "artifacts": [COVERAGE_FILE] if coverage else [],
            "report_cap": config.report_cap,
            "log_cap": config.log_cap,
        }

    def _run_driver(self, request: dict[str, object]) -> DriverReply:
        container = self.start().container
        assert container is not None
        result = exec_with_input(
            container, DRIVER, json.dumps(request).encode(), user=DRIVER_USER,
            deadline_s=self.config.run_timeout_s + self.config.host_grace_s,
        )
        lines = result.stdout.decode(errors="replace").strip().splitlines()
        try:
            # The driver's own output (the tests' goes to a log file); its fields are read
            # defensively below all the same.
            return cast(DriverReply, dict(json.loads(lines[-1])))
        except (IndexError, ValueError) as exc:
            # The driver itself died (e.g. the container's memory limit), or its container was
            # removed from outside (then InfraError: not the candidate): start afresh next time.
            err = result.stderr.decode(errors="replace")[-1500:]
            try:
                check_alive(container, settle_s=DRIVER_DEATH_SETTLE_S)
                with as_infra("reading the driver's exit status"):
                    code = exec_exit_code(container, result)
            finally:
                self.close()
            raise SandboxError(f"sandbox driver failed (exit {code}): {err}") from exc
