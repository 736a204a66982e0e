from .lis import longest_increasing

__all__ = ["longest_increasing"]
