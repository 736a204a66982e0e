"""One way to run work concurrently with a bound: an async function over items, at most
`capacity` at once, results in the items' order. Blocking work goes through
`anyio.to_thread.run_sync` inside `fn` (the docker SDK, a whole task's validation)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from typing import TypeVar

import anyio

T = TypeVar("T")
R = TypeVar("R")


async def gather_limited(
    fn: Callable[[T], Awaitable[R]], items: Sequence[T], capacity: int,
    on_done: Callable[[R], None] = lambda _: None,
) -> list[R]:
    """`fn` over `items`, at most `capacity` at once (1: one after another); results in the
    order of `items`, `on_done` called as each finishes."""
    limiter = anyio.CapacityLimiter(max(capacity, 1))
    results: dict[int, R] = {}

    async def one(index: int, item: T) -> None:
        async with limiter:
            results[index] = await fn(item)
        on_done(results[index])

    async with anyio.create_task_group() as tg:
        for index, item in enumerate(items):
            tg.start_soon(one, index, item)
    return [results[i] for i in range(len(items))]


def in_thread(fn: Callable[[T], R]) -> Callable[[T], Awaitable[R]]:
    """`fn` (blocking) as an async function that runs it in a worker thread."""

    async def run(item: T) -> R:
        return await anyio.to_thread.run_sync(fn, item)

    return run
