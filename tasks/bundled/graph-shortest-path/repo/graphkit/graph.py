"""An adjacency-list graph."""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Iterator


class Graph:
    """A directed (default) or undirected graph with insertion-ordered adjacency."""

    def __init__(self, directed: bool = True):
        self.directed = directed
        self._adj: dict[Hashable, list[Hashable]] = {}

    @classmethod
    def from_edges(cls, edges: Iterable[tuple[Hashable, Hashable]], directed: bool = True) -> Graph:
        graph = cls(directed)
        for u, v in edges:
            graph.add_edge(u, v)
        return graph

    def add_node(self, node: Hashable) -> None:
        self._adj.setdefault(node, [])

    def add_edge(self, u: Hashable, v: Hashable) -> None:
        self.add_node(u)
        self.add_node(v)
        if v not in self._adj[u]:
            self._adj[u].append(v)
        if not self.directed and u not in self._adj[v]:
            self._adj[v].append(u)

    def neighbors(self, node: Hashable) -> list[Hashable]:
        try:
            return list(self._adj[node])
        except KeyError:
            raise KeyError(f"unknown node {node!r}") from None

    def nodes(self) -> list[Hashable]:
        return list(self._adj)

    def edges(self) -> Iterator[tuple[Hashable, Hashable]]:
        for u, targets in self._adj.items():
            for v in targets:
                yield u, v

    def __contains__(self, node: object) -> bool:
        return node in self._adj

    def __len__(self) -> int:
        return len(self._adj)
