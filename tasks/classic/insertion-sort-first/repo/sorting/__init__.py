from .insertion import insertion_sort

__all__ = ["insertion_sort"]
