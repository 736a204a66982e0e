"""Topological ordering (Kahn's algorithm)."""

from __future__ import annotations

from collections import deque
from collections.abc import Hashable

from .graph import Graph


class CycleError(ValueError):
    """The graph has a cycle; ``nodes`` lists the nodes left unsorted."""

    def __init__(self, nodes):
        self.nodes = set(nodes)
        super().__init__(f"graph has a cycle through {sorted(map(str, self.nodes))}")


def topological_sort(graph: Graph) -> list[Hashable]:
    """Order nodes so every edge ``u -> v`` has ``u`` before ``v``.

    Ties are broken by insertion order, so the result is deterministic.
    """
    if not graph.directed:
        raise ValueError("topological_sort needs a directed graph")
    indegree = {node: 0 for node in graph.nodes()}
    for _, v in graph.edges():
        indegree[v] += 1
    queue = deque(node for node, deg in indegree.items() if deg == 0)
    order = []
    while queue:
        node = queue.popleft()
        order.append(node)
        for nbr in graph.neighbors(node):
            indegree[nbr] -= 1
            if indegree[nbr] == 0:
                queue.append(nbr)
    if len(order) != len(indegree):
        raise CycleError(n for n, deg in indegree.items() if deg > 0)
    return order
