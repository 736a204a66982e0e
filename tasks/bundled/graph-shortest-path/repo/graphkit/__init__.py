"""Small graph utilities: adjacency graphs, BFS, components, topological sort."""

from .graph import Graph
from .search import bfs_order, connected_components, distance, shortest_path
from .topo import CycleError, topological_sort

__all__ = [
    "Graph", "bfs_order", "shortest_path", "distance", "connected_components",
    "topological_sort", "CycleError",
]
