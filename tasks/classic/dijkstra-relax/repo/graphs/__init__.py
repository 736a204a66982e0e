from .dijkstra import shortest_distances

__all__ = ["shortest_distances"]
