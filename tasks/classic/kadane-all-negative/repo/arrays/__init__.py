from .subarray import max_subarray_sum

__all__ = ["max_subarray_sum"]
