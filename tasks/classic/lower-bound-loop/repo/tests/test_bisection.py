from searching import contains, lower_bound


def test_empty():
    assert lower_bound([], 3) == 0


def test_first_element():
    assert lower_bound([1, 2, 3], 1) == 0


def test_target_in_upper_half():
    assert lower_bound([1, 3, 5, 7], 6) == 3


def test_contains_missing():
    assert not contains([2, 4, 6], 5)
