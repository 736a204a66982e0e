from .order import is_sorted

__all__ = ["is_sorted"]
