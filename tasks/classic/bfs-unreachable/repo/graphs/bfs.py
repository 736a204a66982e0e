"""Breadth-first search distances in an unweighted graph."""

from collections import deque


def distance(graph, source, target):
    """Number of edges on a shortest path from source to target, or None if unreachable."""
    queue = deque([(source, 0)])
    seen = {source}
    while True:
        node, dist = queue.popleft()
        if node == target:
            return dist
        for nxt in graph.get(node, ()):
            if nxt not in seen:
                seen.add(nxt)
                queue.append((nxt, dist + 1))
    return None
