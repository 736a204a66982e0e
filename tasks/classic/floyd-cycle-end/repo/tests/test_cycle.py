from linked import chain, has_cycle


def test_empty():
    assert not has_cycle(None)


def test_loop():
    assert has_cycle(chain([1, 2, 3, 4], loop_to=1))


def test_odd_length_list():
    assert not has_cycle(chain([1, 2, 3]))
