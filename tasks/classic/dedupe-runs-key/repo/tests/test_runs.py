from iterutils import unique_runs


def test_plain():
    assert list(unique_runs([1, 1, 2, 2, 2, 1])) == [1, 2, 1]


def test_empty():
    assert list(unique_runs([])) == []


def test_with_key_yields_items():
    words = ["Apple", "avocado", "Banana", "blueberry", "cherry"]
    assert list(unique_runs(words, key=lambda w: w[0].lower())) == ["Apple", "Banana", "cherry"]
