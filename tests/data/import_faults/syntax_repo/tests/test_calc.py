from pkg import clamp


def test_low():
    assert clamp(-1, 0, 5) == 0


def test_high():
    assert clamp(9, 0, 5) == 5


def test_mid():
    assert clamp(3, 0, 5) == 3
