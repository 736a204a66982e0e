"""Failures of the machinery underneath a run, told apart from the task's own.

    InfraError(cause)        raised where the engine, a container, a build's network or the disk
    ├── engine               no Docker engine answers, or its connection dropped (a restart)
    ├── container_vanished   a run's container was removed or stopped from outside
    ├── build_network        an image build could not reach its package index
    ├── disk_full            ENOSPC on the host or in the engine
    └── model_endpoint       (raised by solver/: the model's endpoint stayed down past its retries)

`infra_cause` reads a cause off any exception (its chain and groups included); `as_infra`
turns such exceptions into an InfraError at the place they surface. What is survivable
(`SURVIVABLE`) is retried on a fresh container once the engine answers again (`wait_for_engine`);
what is not ends the task as `infra_error`, never as the candidate's or the task's failure.
"""

from __future__ import annotations

import errno
import functools
import logging
import re
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Literal, ParamSpec, TypeVar, get_args

import docker
import docker.errors
import requests.exceptions
import urllib3.exceptions

from sandbox.errors import SandboxError

Cause = Literal["engine", "container_vanished", "build_network", "model_endpoint", "disk_full"]
CAUSES: tuple[str, ...] = get_args(Cause)
SURVIVABLE: frozenset[str] = frozenset({"engine", "container_vanished"})
"""Causes a retry on a fresh container (after the engine answers) can get past."""
ENGINE_WAIT_S = 180.0
"""How long a run waits for a restarting engine before the task ends as infra_error."""
R = TypeVar("R")
P = ParamSpec("P")
log = logging.getLogger(__name__)

GONE = ("is not running", "is restarting", "removal of container", "marked for removal",
        "no such container", "is dead", "container not found")
"""Engine answers (409 / 500) meaning the container is going or gone, not a bad request."""
NETWORK = re.compile(
    r"NewConnectionError|Failed to establish a new connection|Connection refused|"
    r"Temporary failure in name resolution|Name or service not known|Network is unreachable|"
    r"ConnectTimeoutError|ReadTimeoutError|Read timed out|Connection reset by peer|"
    r"Could not fetch URL|ProxyError|RemoteDisconnected|IncompleteRead|"
    r"Could not resolve host|Connection timed out|HTTP error 5\d\d|Max retries exceeded")
"""What pip, apt and git print when the package index cannot be reached."""


class InfraError(SandboxError):
    """The machinery failed (`cause` in CAUSES): the task's outcome is unknown, not bad."""

    def __init__(self, cause: Cause, message: str) -> None:
        super().__init__(f"{message} [infra: {cause}]")
        self.cause: Cause = cause


def chain(exc: BaseException) -> Iterator[BaseException]:
    """`exc`, what it was raised from or during, and the members of exception groups."""
    seen: set[int] = set()
    todo = [exc]
    while todo:
        current = todo.pop()
        if id(current) in seen:
            continue
        seen.add(id(current))
        yield current
        if isinstance(current, BaseExceptionGroup):
            todo.extend(current.exceptions)
        todo.extend(e for e in (current.__cause__, current.__context__) if e is not None)


def cause_of(exc: BaseException) -> Cause | None:
    """The cause one exception names by itself (not its chain)."""
    text = str(exc).lower()
    if isinstance(exc, InfraError):
        return exc.cause
    if (isinstance(exc, OSError) and exc.errno == errno.ENOSPC) or \
            "no space left on device" in text:
        return "disk_full"
    if isinstance(exc, docker.errors.ImageNotFound):
        return None
    if isinstance(exc, docker.errors.NotFound) or (
            isinstance(exc, docker.errors.APIError) and any(g in text for g in GONE)):
        return "container_vanished"
    if isinstance(exc, requests.exceptions.ConnectionError | requests.exceptions.Timeout |
                  urllib3.exceptions.ProtocolError | ConnectionError):
        return "engine"  # (a Timeout here: an API call past docker-py's own 120 s)
    return None


def infra_cause(exc: BaseException) -> Cause | None:
    """The first infrastructure cause anywhere in `exc`'s chain; None: not infrastructure."""
    return next((c for c in map(cause_of, chain(exc)) if c is not None), None)


@contextmanager
def as_infra(what: str) -> Iterator[None]:
    """Re-raise an infrastructure failure of `what` as an InfraError; the rest as it was."""
    try:
        yield
    except InfraError:
        raise
    except Exception as exc:
        cause = infra_cause(exc)
        if cause is None:
            raise
        raise InfraError(cause, f"{what}: {type(exc).__name__}: {str(exc)[:300]}") from exc


def engine_answers(client: docker.DockerClient) -> bool:
    try:
        return bool(client.ping())
    except (docker.errors.DockerException, requests.exceptions.RequestException, OSError):
        return False


def wait_for_engine(client: docker.DockerClient, timeout_s: float = ENGINE_WAIT_S) -> float:
    """Block until the engine answers a ping (backoff from 0.5 s to 5 s); the seconds waited.
    Raises InfraError("engine") past `timeout_s`."""
    start, delay = time.monotonic(), 0.5
    while not engine_answers(client):
        if time.monotonic() - start > timeout_s:
            raise InfraError("engine", f"no Docker engine answered for {timeout_s:.0f}s")
        time.sleep(delay)
        delay = min(delay * 2, 5.0)
    return time.monotonic() - start


def wait_for_any_engine(timeout_s: float = ENGINE_WAIT_S) -> float:
    """`wait_for_engine` on the engine DOCKER_HOST (or the default socket) names (docker-py
    asks the engine's version as the client is made: that, too, waits)."""
    start, delay = time.monotonic(), 0.5
    while True:
        try:
            client = docker.DockerClient.from_env(timeout=30)
            break
        except docker.errors.DockerException as exc:
            if time.monotonic() - start > timeout_s:
                raise InfraError("engine", f"no Docker engine answered for {timeout_s:.0f}s: "
                                 f"{exc}") from exc
            time.sleep(delay)
            delay = min(delay * 2, 5.0)
    try:
        return wait_for_engine(client, max(timeout_s - (time.monotonic() - start), 1.0))
    finally:
        client.close()


def is_network_failure(log: str) -> bool:
    """A build's output says its package index (or mirror) could not be reached."""
    return bool(NETWORK.search(log))


def retry_network(
    step: Callable[[], R], what: str, attempts: int = 3, backoff_s: float = 2.0,
) -> R:
    """`step()` again (backoff doubling) while it fails for a network reason; past `attempts`
    an InfraError("build_network"). Any other failure is raised at once."""
    for attempt in range(1, attempts + 1):
        try:
            return step()
        except SandboxError as exc:
            if isinstance(exc, InfraError) or not is_network_failure(str(exc)):
                raise
            if attempt == attempts:
                raise InfraError("build_network", f"{what}: the package index stayed "
                                 f"unreachable over {attempts} attempts: "
                                 f"{str(exc).splitlines()[-1][:200]}") from exc
            log.warning("%s: network failure on attempt %d, retrying", what, attempt)
            time.sleep(backoff_s * 2 ** (attempt - 1))
    raise AssertionError("unreachable: the loop returns or raises")


def retrying_network(step: Callable[P, R]) -> Callable[P, R]:
    """`step` (an image build step) retried by `retry_network` while its package index is
    unreachable."""
    @functools.wraps(step)
    def retried(*args: P.args, **kwargs: P.kwargs) -> R:
        return retry_network(lambda: step(*args, **kwargs), step.__name__)
    return retried
