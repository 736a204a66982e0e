"""Breadth-first traversals."""

from __future__ import annotations

from collections import deque
from collections.abc import Hashable

from .graph import Graph


def bfs_order(graph: Graph, start: Hashable) -> list[Hashable]:
    """Nodes reachable from ``start`` in breadth-first order."""
    seen = {start}
    order = []
    queue = deque([start])
    while queue:
        node = queue.popleft()
        order.append(node)
        for nbr in graph.neighbors(node):
            if nbr not in seen:
                seen.add(nbr)
                queue.append(nbr)
    return order


def shortest_path(graph: Graph, start: Hashable, goal: Hashable) -> list[Hashable] | None:
    """A path with the fewest edges from ``start`` to ``goal``, or ``None``.

    The path includes both endpoints; ``shortest_path(g, x, x) == [x]``.
    """
    if start not in graph or goal not in graph:
        raise KeyError(f"unknown node {start if start not in graph else goal!r}")
    parent: dict[Hashable, Hashable | None] = {start: None}
    queue = deque([start])
    while queue:
        current = queue.popleft()
        if current == goal:
            break
        for nbr in graph.neighbors(current):
            if nbr not in parent:
                parent[nbr] = start
                queue.append(nbr)
    if goal not in parent:
        return None
    path = [goal]
    while parent[path[-1]] is not None:
        path.append(parent[path[-1]])
    path.reverse()
    return path


def distance(graph: Graph, start: Hashable, goal: Hashable) -> int | None:
    """Number of edges on a shortest path, or ``None`` if unreachable."""
    levels = {start: 0}
    queue = deque([start])
    while queue:
        node = queue.popleft()
        if node == goal:
            return levels[node]
        for nbr in graph.neighbors(node):
            if nbr not in levels:
                levels[nbr] = levels[node] + 1
                queue.append(nbr)
    return None


def connected_components(graph: Graph) -> list[set[Hashable]]:
    """Components of an undirected graph, in order of first node."""
    if graph.directed:
        raise ValueError("connected_components needs an undirected graph")
    seen: set[Hashable] = set()
    components = []
    for node in graph.nodes():
        if node in seen:
            continue
        component = set(bfs_order(graph, node))
        seen |= component
        components.append(component)
    return components
