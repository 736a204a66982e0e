from .counting import counting_sort

__all__ = ["counting_sort"]
