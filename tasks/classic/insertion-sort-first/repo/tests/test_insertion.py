from sorting import insertion_sort


def test_already_sorted():
    assert insertion_sort([1, 2, 3]) == [1, 2, 3]


def test_empty_and_single():
    assert insertion_sort([]) == []
    assert insertion_sort([7]) == [7]


def test_smallest_last():
    assert insertion_sort([3, 4, 1]) == [1, 3, 4]
