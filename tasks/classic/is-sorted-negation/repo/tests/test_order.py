from iterutils import is_sorted


def test_strict():
    assert is_sorted([1, 2, 3], strict=True)
    assert not is_sorted([1, 1], strict=True)


def test_sorted():
    assert is_sorted([1, 2, 2, 5])


def test_unsorted():
    assert not is_sorted([3, 1])
