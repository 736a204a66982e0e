"""A pool of warm sessions on one session image: verifies candidates concurrently.

At most `capacity` verifications run at once, each in its own container; a container is reset,
not recreated, between candidates. The blocking docker SDK runs in worker threads, so a cancelled
caller still gets every container removed.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TypeVar

import anyio
import docker

from sandbox.config import SandboxConfig
from sandbox.container import SandboxError, docker_client
from sandbox.reaper import reap
from sandbox.session import RunSpec, Session
from sandbox.verdict import Verdict

_reaped_once = False
T = TypeVar("T")
R = TypeVar("R")


async def map_in_threads(
    fn: Callable[[T], R], items: Sequence[T], capacity: int,
    on_done: Callable[[R], None] = lambda _: None,
) -> list[R]:
    """`fn` over `items` in worker threads (blocking sandbox work), at most `capacity` at once;
    results in the order of `items`, `on_done` called as each finishes."""
    limiter = anyio.CapacityLimiter(capacity)
    results: dict[int, R] = {}

    async def one(index: int, item: T) -> None:
        results[index] = await anyio.to_thread.run_sync(fn, item, limiter=limiter)
        on_done(results[index])

    async with anyio.create_task_group() as tg:
        for index, item in enumerate(items):
            tg.start_soon(one, index, item)
    return [results[i] for i in range(len(items))]


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

    async def verify_one(
        self, diff: str, test_ids: Sequence[str] = (), *, candidate_id: str = "",
        fail_fast: bool = False, extra_patch: str | None = None,
    ) -> Verdict:
        async with self.limiter:
            session = self._idle.pop() if self._idle else self._new_session()
            try:
                return await anyio.to_thread.run_sync(
                    lambda: session.verify(diff, test_ids, candidate_id=candidate_id,
                                           fail_fast=fail_fast, extra_patch=extra_patch),
                    abandon_on_cancel=True,
                )
            except SandboxError as exc:
                return Verdict(candidate_id=candidate_id, applied=True, reason=str(exc))
            except anyio.get_cancelled_exc_class():
                with anyio.CancelScope(shield=True):
                    await anyio.to_thread.run_sync(session.close)
                raise
            finally:
                self._idle.append(session)

    async def verify_many(
        self, diffs: Sequence[tuple[str, str]], test_ids: Sequence[str] = (), *,
        fail_fast: bool = False,
    ) -> list[Verdict]:
        """One verdict per (candidate id, diff), in order, verified concurrently."""
        verdicts: list[Verdict | None] = [None] * len(diffs)

        async def one(index: int, candidate_id: str, diff: str) -> None:
            verdicts[index] = await self.verify_one(
                diff, test_ids, candidate_id=candidate_id, fail_fast=fail_fast)

        async with anyio.create_task_group() as tg:
            for index, (candidate_id, diff) in enumerate(diffs):
                tg.start_soon(one, index, candidate_id, diff)
        return [v for v in verdicts if v is not None]
