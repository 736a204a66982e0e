from evil import double, run


def test_run():
    assert run() == 1


def test_double():
    assert double(2) == 4


def test_double_zero():
    assert double(0) == 0
