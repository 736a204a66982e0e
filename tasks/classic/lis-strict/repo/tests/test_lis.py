from arrays import longest_increasing


def test_empty():
    assert longest_increasing([]) == 0


def test_increasing():
    assert longest_increasing([1, 2, 3]) == 3


def test_repeats_do_not_count():
    assert longest_increasing([2, 2, 2]) == 1
