from .merging import merge, merge_sort

__all__ = ["merge", "merge_sort"]
