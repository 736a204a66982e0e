from heaps import MinHeap, heap_sort


def test_single():
    h = MinHeap()
    h.push(5)
    assert h.pop() == 5


def test_pop_order_small():
    h = MinHeap()
    for v in [3, 1, 2]:
        h.push(v)
    assert [h.pop(), h.pop(), h.pop()] == [1, 2, 3]


def test_heap_sort():
    assert heap_sort([0, 1, 2, 6, 5, 4, 3]) == [0, 1, 2, 3, 4, 5, 6]
