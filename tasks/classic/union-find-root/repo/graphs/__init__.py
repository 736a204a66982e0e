from .unionfind import DisjointSet, count_components

__all__ = ["DisjointSet", "count_components"]
