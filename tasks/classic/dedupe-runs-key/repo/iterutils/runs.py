"""Collapse runs of consecutive equal items."""


def unique_runs(items, key=None):
    """Yield the first item of every run of consecutive items with equal keys."""
    key = key or (lambda v: v)
    marker = object()
    last = marker
    for item in items:
        k = key(item)
        if last is marker or k != last:
            yield key(item)
        last = k
