"""Split a sequence into numbered pages (1-based)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any


class InvalidPage(LookupError):
    pass


def page_count(total: int, per_page: int, allow_empty_first_page: bool = True) -> int:
    """Number of pages needed for ``total`` items.

    An empty result has one (empty) page unless ``allow_empty_first_page`` is false.
    """
    if per_page < 1:
        raise ValueError("per_page must be at least 1")
    if total == 0:
        return 1 if allow_empty_first_page else 0
    return total // per_page + 1


@dataclass(frozen=True)
class Page:
    items: list[Any]
    number: int
    paginator: Paginator

    @property
    def has_next(self) -> bool:
        return self.number < self.paginator.num_pages

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def start_index(self) -> int:
        """1-based index of the first item on this page (0 for an empty page)."""
        if not self.items:
            return 0
        return (self.number - 1) * self.paginator.per_page + 1

    @property
    def end_index(self) -> int:
        """1-based index of the last item on this page."""
        if not self.items:
            return 0
        return self.start_index + len(self.items) - 1


class Paginator:
    def __init__(self, items: Sequence[Any], per_page: int, orphans: int = 0):
        """``orphans``: a last page with at most this many items is merged into the previous one."""
        if per_page < 1:
            raise ValueError("per_page must be at least 1")
        if orphans < 0:
            raise ValueError("orphans cannot be negative")
        self.items = items
        self.per_page = per_page
        self.orphans = orphans

    @property
    def count(self) -> int:
        return len(self.items)

    @property
    def num_pages(self) -> int:
        hits = max(0, self.count - self.orphans)
        if self.count == 0:
            return 1
        if hits == 0:
            return 1
        return max(1, hits // self.per_page + 1)

    def validate(self, number: Any) -> int:
        try:
            number = int(number)
        except (TypeError, ValueError):
            raise InvalidPage(f"page number {number!r} is not an integer") from None
        if number < 1:
            raise InvalidPage("page number must be at least 1")
        if number > self.num_pages:
            raise InvalidPage(f"page {number} is past the last page ({self.num_pages})")
        return number

    def page(self, number: Any) -> Page:
        number = self.validate(number)
        bottom = (number - 1) * self.per_page
        top = bottom + self.per_page
        if number == self.num_pages:
            top = self.count
        return Page(list(self.items[bottom:top]), number, self)
