"""Kahn's algorithm: a topological order of a DAG given as {node: [successors]}."""

from collections import deque


class CycleError(ValueError):
    pass


def topological_order(graph):
    nodes = set(graph)
    for succs in graph.values():
        nodes.update(succs)
    indegree = {node: 0 for node in nodes}
    for succs in graph.values():
        for nxt in succs:
            indegree[nxt] += 1
    ready = deque(sorted(n for n in nodes if indegree[n] == 0))
    order = []
    while ready:
        node = ready.popleft()
        order.append(node)
        for nxt in sorted(graph.get(node, ())):
            indegree[node] -= 1
            if indegree[nxt] == 0:
                ready.append(nxt)
    if len(order) != len(nodes):
        raise CycleError("graph has a cycle")
    return order
