from linked import from_list, remove_value, reverse, to_list


def test_reverse_empty():
    assert reverse(None) is None


def test_reverse_three():
    assert to_list(reverse(from_list([1, 2, 3]))) == [3, 2, 1]


def test_remove_value():
    assert to_list(remove_value(from_list([1, 2, 1, 3]), 1)) == [2, 3]
