from .runs import unique_runs

__all__ = ["unique_runs"]
