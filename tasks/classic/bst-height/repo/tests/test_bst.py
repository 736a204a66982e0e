from trees import height, insert


def build(keys):
    root = None
    for k in keys:
        root = insert(root, k)
    return root


def test_empty():
    assert height(None) == 0


def test_left_chain():
    assert height(build([3, 2, 1])) == 3


def test_right_chain():
    assert height(build([1, 2, 3])) == 3
