"""Line diffs based on the longest common subsequence."""

from .diff import Op, annotate, diff_ops, unified
from .lcs import lcs, lcs_length

__all__ = ["lcs", "lcs_length", "diff_ops", "Op", "annotate", "unified"]
