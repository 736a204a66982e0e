from .reach import reachable

__all__ = ["reachable"]
