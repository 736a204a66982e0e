from .brackets import balanced

__all__ = ["balanced"]
