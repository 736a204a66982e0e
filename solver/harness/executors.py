"""Where `solver eval` attempts its tasks: in this process, or as Ray tasks over a cluster.

    run_eval ─► Executor.run(tasks, run_dir, attempt_one, workers, record)
                  ├─ LocalExecutor  anyio tasks in this process, `workers` at a time
                  └─ RayExecutor    one Ray task per task, at most `workers` in flight; each
                                    runs `attempt_one` under `anyio.run` in a Ray worker, on that
                                    node's Docker engine

Either way `record` runs in the calling process as each task ends (run_eval appends the result to
results.jsonl there), so a killed run resumes the same way whatever executed it.
"""

from __future__ import annotations

import functools
import signal
import socket
import tempfile
import threading
import time
from collections.abc import Awaitable, Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from types import ModuleType
from typing import TYPE_CHECKING, Any, Protocol

import anyio

if TYPE_CHECKING:
    from solver.harness.results import TaskResult
    from tasks.model import Task

AttemptFn = Callable[["Task", Path], Awaitable["TaskResult"]]
"""`attempt_one(task, run_dir)`: solve one task, write its trajectory under
`run_dir/trajectories/<instance_id>/`, never raise for a task that fails
(solver.harness.evaluate)."""

RAY_INSTALL_HINT = "--executor ray needs Ray: pip install 'tts-solver[ray]'"
CANCEL_GRACE_S = 15.0
"""After a Ctrl-C: how long cancelled Ray tasks get to remove their sandbox containers."""
WAIT_SLICE_S = 1.0
"""One `ray.wait` call blocks a worker thread at most this long (so a Ctrl-C is heard)."""


class ExecutorError(RuntimeError):
    """The executor cannot run (Ray missing, no cluster at the address): a usage error."""


class Executor(Protocol):
    async def run(
        self, tasks: Sequence[Task], run_dir: Path, attempt_one: AttemptFn, workers: int,
        record: Callable[[TaskResult], None],
    ) -> None:
        """Attempt every task, at most `workers` at once; call `record` in this process with each
        result as it arrives, after the task's trajectory is under `run_dir`. A task whose
        attempt fails in the executor itself is recorded with `error` set, never dropped."""


class LocalExecutor:
    """Every task in this process's event loop, `workers` at a time."""

    async def run(
        self, tasks: Sequence[Task], run_dir: Path, attempt_one: AttemptFn, workers: int,
        record: Callable[[TaskResult], None],
    ) -> None:
        limiter = anyio.CapacityLimiter(max(workers, 1))

        async def one(task: Task) -> None:
            async with limiter:
                result = await attempt_one(task, run_dir)
            record(result)  # synchronous: results are appended one at a time

        async with anyio.create_task_group() as tg:
            for task in tasks:
                tg.start_soon(one, task)


@dataclass(frozen=True)
class RayExecutor:
    """One Ray task per task (1 CPU each), at most `workers` in flight.

    `address` None starts a private local Ray instance for this run (`workers` CPUs), stopped
    when the run ends, also on Ctrl-C; otherwise it is passed to `ray.init` (`auto`, `host:port`
    of a `ray start --head` cluster, or `ray://host:10001` through Ray Client).

    The worker writes the trajectory into a temporary run directory and returns its files with the
    result, which the driver writes under `--out` before appending the result line: the driver
    stays the only writer of the run directory (the same order as a local run, so resume works
    unchanged) and `--out` need not be on a shared file system; trajectories are small. What a
    worker reads must be on its node: tts-solver (the same version) and Docker on every node,
    task sources (task folders, `--repos-dir`) at the same paths, and the model's environment
    variables (SOLVER_MODEL, SOLVER_API_KEY, ...) in the workers' environment for `--generator
    llm`. A cluster with token authentication wants RAY_AUTH_MODE=token and its token
    (RAY_AUTH_TOKEN or ~/.ray/auth_token) in the driver's environment too.
    """

    address: str | None = None
    object_store_mb: int = 100
    """Object store of a local instance: results and trajectories are small."""

    async def run(
        self, tasks: Sequence[Task], run_dir: Path, attempt_one: AttemptFn, workers: int,
        record: Callable[[TaskResult], None],
    ) -> None:
        if not tasks:
            return  # a resumed run with nothing left starts no Ray
        ray = import_ray()
        try:
            self.connect(ray, max(workers, 1))
            with sigterm_as_ctrl_c():
                await submit_and_collect(ray, tasks, run_dir, attempt_one, max(workers, 1),
                                         record)
        finally:
            ray.shutdown()  # also stops the local instance that connect() started

    def connect(self, ray: ModuleType, workers: int) -> None:
        """Join the cluster at `address`, or start a local instance ("local": never RAY_ADDRESS or
        a `ray start` cluster found on this machine, so a run never lands on someone else's)."""
        where = self.address or "a local instance"
        try:
            if self.address is None:
                ray.init(address="local", num_cpus=workers, include_dashboard=False,
                         object_store_memory=self.object_store_mb * 2**20,
                         logging_level="warning")
            else:
                check_reachable(self.address)
                ray.init(address=self.address, logging_level="warning")
        except Exception as exc:  # noqa: BLE001 - Ray raises many kinds; all mean the same here
            raise ExecutorError(f"--executor ray: cannot start or reach {where}: "
                                f"{str(exc)[:500]}") from exc


def check_reachable(address: str, timeout_s: float = 5.0) -> None:
    """A `host:port` (or `ray://host:port`) that does not answer fails now: ray.init would retry
    for about ten minutes. `auto` and other forms are left to Ray."""
    host, sep, port = address.removeprefix("ray://").rpartition(":")
    if not sep or not port.isdigit():
        return
    try:
        socket.create_connection((host.strip("[]"), int(port)), timeout=timeout_s).close()
    except OSError as exc:
        raise ConnectionError(f"nothing answers at {address}: {exc}") from exc


@contextmanager
def sigterm_as_ctrl_c() -> Iterator[None]:
    """SIGTERM (a batch scheduler, `timeout`, `docker stop`) takes the Ctrl-C path: the event
    loop cancels the run, which cancels the in-flight tasks and shuts Ray down. The handler
    ray.init installs exits from wherever the main thread is, racing the `ray.wait` running in a
    worker thread (seen: the driver aborting in Ray's core)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGTERM, lambda *_: signal.raise_signal(signal.SIGINT))
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def import_ray() -> ModuleType:
    """Ray, imported only for `--executor ray`; ExecutorError with the install hint if absent."""
    try:
        import ray
    except ImportError as exc:
        raise ExecutorError(RAY_INSTALL_HINT) from exc
    return ray


def make_executor(kind: str, address: str | None = None) -> Executor:
    """`local` or `ray` (checked now, so a missing Ray fails before any work starts)."""
    if kind == "local":
        if address is not None:
            raise ExecutorError("--address needs --executor ray")
        return LocalExecutor()
    if kind == "ray":
        import_ray()
        return RayExecutor(address=address)
    raise ExecutorError(f"--executor {kind}: choose local or ray")


async def submit_and_collect(
    ray: ModuleType, tasks: Sequence[Task], run_dir: Path, attempt_one: AttemptFn, workers: int,
    record: Callable[[TaskResult], None],
) -> None:
    """Keep `workers` Ray tasks in flight; record each result as it arrives (`ray.wait`)."""
    remote = ray.remote(num_cpus=1)(attempt_in_worker)
    shared = ray.put(attempt_one)
    todo = list(reversed(tasks))
    pending: dict[Any, tuple[Task, float]] = {}
    try:
        while todo or pending:
            while todo and len(pending) < workers:
                task = todo.pop()
                pending[remote.remote(shared, task)] = (task, time.monotonic())
            done, _ = await anyio.to_thread.run_sync(functools.partial(
                ray.wait, list(pending), num_returns=1, timeout=WAIT_SLICE_S))
            for ref in done:
                task, start = pending.pop(ref)
                record(collect(ray, ref, task, start, run_dir))
    finally:
        if pending:
            cancel_in_flight(ray, list(pending))


def collect(ray: ModuleType, ref: Any, task: Task, start: float, run_dir: Path) -> TaskResult:
    """The worker's result, its trajectory files written under `run_dir` first; a worker that
    raised or died becomes a result with `error` set."""
    from solver.harness.results import TaskResult

    try:
        text, files = ray.get(ref)
    except Exception as exc:  # noqa: BLE001 - a lost worker must not lose the task
        cause = getattr(exc, "cause", None) or exc  # RayTaskError: what the worker raised
        return TaskResult(instance_id=task.instance_id, plausible=False,
                          error=f"{type(cause).__name__} in a Ray worker: {str(cause)[:500]}",
                          total_s=round(time.monotonic() - start, 2))
    for name, data in files.items():
        target = run_dir.joinpath(*PurePosixPath(name).parts)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
    return TaskResult.model_validate_json(text)


def cancel_in_flight(ray: ModuleType, refs: list[Any]) -> None:
    """Interrupt running tasks (KeyboardInterrupt in the worker, so its sandbox pool removes its
    containers) and give them a moment; the driver then disconnects."""
    for ref in refs:
        try:
            ray.cancel(ref)
        except Exception:  # noqa: BLE001 - best effort on the way out
            pass
    ray.wait(refs, num_returns=len(refs), timeout=CANCEL_GRACE_S)


def attempt_in_worker(attempt_one: AttemptFn, task: Task) -> tuple[str, dict[str, bytes]]:
    """In a Ray worker: the attempt in its own event loop, in a temporary run directory.

    Returns the TaskResult as JSON and the files written (paths relative to the run directory).
    """
    with tempfile.TemporaryDirectory(prefix="solver-ray-") as tmp:
        run_dir = Path(tmp)
        result = anyio.run(attempt_and_close, attempt_one, task, run_dir)
        files = {path.relative_to(run_dir).as_posix(): path.read_bytes()
                 for path in sorted(run_dir.rglob("*")) if path.is_file()}
    return result.model_dump_json(), files


async def attempt_and_close(attempt_one: AttemptFn, task: Task, run_dir: Path) -> TaskResult:
    """litellm's HTTP clients belong to this task's event loop: closed before it ends."""
    from solver.generators.llm.client import close_clients

    try:
        return await attempt_one(task, run_dir)
    finally:
        await close_clients()
