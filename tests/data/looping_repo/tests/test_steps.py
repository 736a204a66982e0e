from pkg.steps import steps


def test_even():
    assert steps(4) == 2


def test_odd():
    assert steps(3) == 2


def test_zero():
    assert steps(0) == 0
