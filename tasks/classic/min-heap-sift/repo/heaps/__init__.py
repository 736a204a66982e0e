from .minheap import MinHeap, heap_sort

__all__ = ["MinHeap", "heap_sort"]
