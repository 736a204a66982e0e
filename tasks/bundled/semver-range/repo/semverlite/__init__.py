"""A small semantic-versioning library: parsing, ordering and range matching."""

from .ranges import Comparator, Range, max_satisfying, satisfies
from .version import Version

__all__ = ["Version", "Comparator", "Range", "satisfies", "max_satisfying"]
