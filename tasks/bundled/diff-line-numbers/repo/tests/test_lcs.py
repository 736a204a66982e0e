import pytest

from seqdiff import lcs, lcs_length


@pytest.mark.parametrize(
    ("a", "b", "length"),
    [("ABCBDAB", "BDCABA", 4), ("", "abc", 0), ("abc", "abc", 3), ("abc", "xyz", 0)],
)
def test_lcs_length(a, b, length):
    assert lcs_length(a, b) == length
    assert len(lcs(a, b)) == length


def test_lcs_is_subsequence_of_both():
    a, b = "AGGTAB", "GXTXAYB"
    common = "".join(lcs(a, b))
    assert common == "GTAB"
