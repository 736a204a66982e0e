from .bisection import contains, lower_bound

__all__ = ["lower_bound", "contains"]
