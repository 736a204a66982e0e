from .bfs import distance

__all__ = ["distance"]
