"""Reachability in a directed graph given as {node: [successors]}."""


def reachable(graph, start):
    """The set of nodes reachable from `start` (including it), depth first."""
    seen = set()
    stack = [start]
    seen.add(start)
    while stack:
        node = stack.pop()
        for nxt in graph.get(node, ()):
            if nxt not in seen:
                stack.append(nxt)
    return seen
