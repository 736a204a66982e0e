from sorting import counting_sort


def test_empty():
    assert counting_sort([]) == []


def test_small():
    assert counting_sort([2, 0, 1]) == [0, 1, 2]


def test_duplicates():
    assert counting_sort([1, 3, 1, 0]) == [0, 1, 1, 3]
