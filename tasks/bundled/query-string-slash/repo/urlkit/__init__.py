"""Build and parse URLs and query strings."""

from .query import encode_query, parse_query
from .url import build_url, join_path

__all__ = ["encode_query", "parse_query", "build_url", "join_path"]
