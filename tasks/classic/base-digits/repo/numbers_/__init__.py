from .bases import to_base

__all__ = ["to_base"]
