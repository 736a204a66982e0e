"""Pagination of sequences and of result counts."""

from .paginator import InvalidPage, Page, Paginator, page_count
from .window import page_window

__all__ = ["Paginator", "Page", "InvalidPage", "page_count", "page_window"]
