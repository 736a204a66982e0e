from sorting import merge, merge_sort


def test_merge_interleaved():
    assert merge([1, 4], [2, 3, 5]) == [1, 2, 3, 4, 5]


def test_merge_left_longer():
    assert merge([1, 5, 9], [2]) == [1, 2, 5, 9]


def test_sort_small():
    assert merge_sort([3, 1, 2]) == [1, 2, 3]
