"""Assembling whole URLs."""

from __future__ import annotations

from urllib.parse import quote, urlsplit, urlunsplit

from .query import encode_query, parse_query


def join_path(*segments: str) -> str:
    """Join path segments with exactly one slash between them."""
    parts = [s.strip("/") for s in segments if s and s.strip("/")]
    path = "/".join(parts)
    leading = "/" if segments and segments[0].startswith("/") else ""
    return leading + path


def build_url(base: str, path: str | None = None, params=None, fragment: str | None = None,
              *, safe: str = "/", merge: bool = True) -> str:
    """Build a URL from ``base`` plus an optional path, query parameters and fragment.

    ``path`` is appended to the base path.  ``params`` are encoded with
    :func:`encode_query` (``safe`` is passed on).  With ``merge=True``, a query
    already present in ``base`` is kept and the new parameters are added after it.
    """
    scheme, netloc, base_path, query, base_fragment = urlsplit(base)
    if path:
        base_path = join_path(base_path, path)
        if netloc and not base_path.startswith("/"):
            base_path = "/" + base_path
    pieces = []
    if query and merge:
        existing = parse_query(query)
        pieces.append(encode_query({k: v for k, v in existing.items()}, safe=safe))
    if params:
        pieces.append(encode_query(params, safe=safe))
    new_query = "&".join(p for p in pieces if p)
    frag = quote(fragment, safe="/") if fragment is not None else base_fragment
    return urlunsplit((scheme, netloc, base_path, new_query, frag))
