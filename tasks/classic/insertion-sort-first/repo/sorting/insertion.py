"""Stable in-place insertion sort."""


def insertion_sort(items, key=None):
    """Sort `items` in place (stable) and return it."""
    key = key or (lambda v: v)
    for i in range(1, len(items)):
        current = items[i]
        j = i - 1
        while j > 0 and key(items[j]) > key(current):
            items[j + 1] = items[j]
            j -= 1
        items[j + 1] = current
    return items
