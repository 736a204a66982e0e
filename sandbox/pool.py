"""A pool of warm sessions on one session image: verifies candidates concurrently.

At most `capacity` verifications run at once, each in its own container; a container is reset,
not recreated, between candidates. The blocking docker SDK runs in worker threads, so a cancelled
caller still gets every container removed.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Protocol, TypeVar

import anyio
import docker

from sandbox.concurrency import gather_limited
from sandbox.config import SandboxConfig
from sandbox.container import SandboxError, check_alive, docker_client
from sandbox.faults import SURVIVABLE, InfraError, wait_for_engine
from sandbox.reaper import reap
from sandbox.session import CommandResult, RunSpec, Session
from sandbox.verdict import Verdict

R = TypeVar("R")
log = logging.getLogger(__name__)
INFRA_RETRIES = 3
"""Fresh containers one verification gets after its container vanished or its engine dropped."""
INFRA_BACKOFF_S = 1.0


class Patch(Protocol):
    """What the pool verifies: an id (the verdict's `candidate_id`) and a unified diff. The
    solver's `Candidate` is one; `Diff` is the plain form."""

    @property
    def id(self) -> str: ...

    @property
    def diff(self) -> str: ...


@dataclass(frozen=True)
class Diff:
    """A patch with no more to it than an id and its text."""

    diff: str
    id: str = ""

_reaped_once = False


def reap_leftovers_once(client: docker.DockerClient) -> None:
    """Every run's start removes what crashed runs left behind (once per process)."""
    global _reaped_once
    if not _reaped_once:
        reap(client)
        _reaped_once = True


class SandboxPool:
    def __init__(
        self,
        image: str,
        spec: RunSpec | None = None,
        config: SandboxConfig | None = None,
        client: docker.DockerClient | None = None,
    ) -> None:
        self._owns_client = client is None
        self.client = client or docker_client()
        self.image = image
        self.spec = spec or RunSpec()
        self.config = config or SandboxConfig()
        self.limiter = anyio.CapacityLimiter(self.config.capacity)
        self._idle: list[Session] = []
        self._all: list[Session] = []
        self.infra_retries = 0
        """Verifications re-run on a fresh container (the machinery failed, not the patch)."""
        reap_leftovers_once(self.client)

    async def __aenter__(self) -> SandboxPool:
        return self

    async def __aexit__(self, *_: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        with anyio.CancelScope(shield=True):
            sessions, self._all, self._idle = self._all, [], []
            async with anyio.create_task_group() as tg:
                for session in sessions:
                    tg.start_soon(anyio.to_thread.run_sync, session.close)
            if self._owns_client:
                self.client.close()

    async def warm(self, count: int | None = None) -> None:
        """Start containers ahead of the first verifications (in parallel)."""
        want = min(count or self.config.capacity, self.config.capacity) - len(self._all)
        sessions = [self._new_session() for _ in range(max(want, 0))]
        async with anyio.create_task_group() as tg:
            for session in sessions:
                tg.start_soon(anyio.to_thread.run_sync, session.start)
        self._idle.extend(sessions)

    def _new_session(self) -> Session:
        session = Session(self.client, self.image, self.config, self.spec)
        self._all.append(session)
        return session

    @property
    def capacity(self) -> int:
        """Runs at once (warm containers)."""
        return self.config.capacity

    async def verify(
        self, patches: Sequence[Patch], test_ids: Sequence[str] = (), *, fail_fast: bool = False,
        stop_on_timeout: Sequence[str] = (),
    ) -> list[Verdict]:
        """One verdict per patch, in order, verified concurrently (all tests when `test_ids`
        is empty; `fail_fast`: stop at the first failure; `stop_on_timeout`: stop when one of
        these tests, which timed out on the base tree, times out again)."""
        return await gather_limited(
            lambda patch: self._verify(patch, test_ids, fail_fast=fail_fast,
                                       stop_on_timeout=stop_on_timeout), patches,
            max(len(patches), 1))

    async def verify_with(
        self, patch: Patch, test_ids: Sequence[str] = (), *, extra_patch: str | None = None,
        fail_fast: bool = False,
    ) -> Verdict:
        """One patch with `extra_patch` applied after it in place of the run spec's (the
        held-back tests' patch)."""
        return await self._verify(patch, test_ids, fail_fast=fail_fast, extra_patch=extra_patch)

    async def run_command(
        self, argv: Sequence[str], timeout_s: float, *, diff: str = "", log_cap: int | None = None,
    ) -> CommandResult:
        """`Session.run_command` in one of the pool's sessions; a sandbox failure is a result
        with no exit code and the reason."""
        try:
            return await self._in_session(
                lambda session: session.run_command(argv, timeout_s, diff, log_cap=log_cap))
        except InfraError:
            raise
        except SandboxError as exc:
            return CommandResult(None, "", reason=str(exc))

    async def _verify(
        self, patch: Patch, test_ids: Sequence[str], *, fail_fast: bool = False,
        extra_patch: str | None = None, stop_on_timeout: Sequence[str] = (),
    ) -> Verdict:
        try:
            return await self._in_session(lambda session: session.verify(
                patch.diff, test_ids, candidate_id=patch.id, fail_fast=fail_fast,
                extra_patch=extra_patch, stop_on_timeout=stop_on_timeout))
        except InfraError:
            raise  # the machinery failed past its retries: the task's outcome, not this verdict
        except SandboxError as exc:
            return Verdict(candidate_id=patch.id, applied=True, reason=str(exc))

    async def _in_session(self, work: Callable[[Session], R]) -> R:
        """`work` on an idle session (a new one when none is), in a worker thread, within the
        pool's capacity; a cancelled caller gets that session's container removed, and the
        session leaves the idle ones (its abandoned worker thread may still touch it). Where the
        container vanished or the engine dropped, `work` runs again on a fresh container once
        the engine answers (INFRA_RETRIES times, backoff); past that the InfraError is raised."""
        async with self.limiter:
            for attempt in range(INFRA_RETRIES + 1):
                session = self._idle.pop() if self._idle else self._new_session()
                retired = False
                try:
                    return await anyio.to_thread.run_sync(work, session,
                                                          abandon_on_cancel=True)
                except anyio.get_cancelled_exc_class():
                    # the abandoned thread still holds this session (and closes it once it
                    # sees the container gone): it never serves another run
                    retired = True
                    with anyio.CancelScope(shield=True):
                        await anyio.to_thread.run_sync(session.close)
                    raise
                except InfraError as exc:
                    await anyio.to_thread.run_sync(session.close)
                    if exc.cause not in SURVIVABLE or attempt == INFRA_RETRIES:
                        raise
                    await self._recover(exc, attempt)
                finally:
                    if not retired:
                        self._idle.append(session)
            raise AssertionError("unreachable: the loop returns or raises")

    async def _recover(self, exc: InfraError, attempt: int) -> None:
        """Wait (backoff, then until the engine answers); the idle sessions whose containers
        went too (an engine restart takes them all) start afresh: the pool re-warms."""
        self.infra_retries += 1
        log.warning("sandbox: %s; retry %d on a fresh container", exc, attempt + 1)
        await anyio.sleep(INFRA_BACKOFF_S * 2 ** attempt)
        await anyio.to_thread.run_sync(wait_for_engine, self.client)
        idle, self._idle = self._idle, []  # out of reach while they restart
        try:
            async with anyio.create_task_group() as tg:
                for session in idle:
                    tg.start_soon(anyio.to_thread.run_sync, self._rewarm, session)
        finally:
            self._idle.extend(idle)

    @staticmethod
    def _rewarm(session: Session) -> None:
        """A fresh container for a session whose container is gone (none for one never used)."""
        if session.container is None:
            return
        try:
            check_alive(session.container)
        except InfraError:
            session.close()
            with contextlib.suppress(InfraError):  # the next verification retries it
                session.start()
