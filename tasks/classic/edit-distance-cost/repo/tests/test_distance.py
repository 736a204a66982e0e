from strings import levenshtein


def test_empty():
    assert levenshtein("", "abc") == 3


def test_one_substitution():
    assert levenshtein("cat", "cut") == 1


def test_identical():
    assert levenshtein("same", "same") == 0
