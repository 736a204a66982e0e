from pkg.limits import BIG, is_big


def test_big_sizes():
    assert BIG == [8, 12, 5]


def test_is_big():
    assert is_big(12)
    assert not is_big(1)
