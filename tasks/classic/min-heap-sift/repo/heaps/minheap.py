"""An array-backed binary min-heap."""


class MinHeap:
    def __init__(self):
        self.items = []

    def __len__(self):
        return len(self.items)

    def push(self, value):
        items = self.items
        items.append(value)
        i = len(items) - 1
        while i > 0:
            parent = (i - 1) // 2
            if items[i] >= items[parent]:
                break
            items[i], items[parent] = items[parent], items[i]
            i = parent

    def pop(self):
        items = self.items
        last = items.pop()
        if not items:
            return last
        top, items[0] = items[0], last
        i = 0
        while True:
            left, right = 2 * i + 1, 2 * i + 2
            smallest = i
            if left < len(items) and items[left] < items[smallest]:
                smallest = left
            if right < len(items) and items[right] < items[left]:
                smallest = right
            if smallest == i:
                return top
            items[i], items[smallest] = items[smallest], items[i]
            i = smallest


def heap_sort(values):
    heap = MinHeap()
    for v in values:
        heap.push(v)
    return [heap.pop() for _ in range(len(heap))]
