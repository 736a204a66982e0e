import pytest

from rle import decode, encode, iter_runs


@pytest.mark.parametrize(
    ("text", "encoded"),
    [("", ""), ("a", "1a"), ("aaab", "3a1b"), ("aabbaa", "2a2b2a"), ("  x", "2 1x")],
    ids=["empty", "single", "run-then-single", "repeated-runs", "spaces"],
)
def test_encode_decode(text, encoded):
    assert encode(text) == encoded
    assert decode(encoded) == text


def test_max_run_splits():
    assert list(iter_runs("aaaaa", max_run=2)) == [("a", 2), ("a", 2), ("a", 1)]
    assert encode("a" * 300) == "255a45a"


def test_digits_rejected():
    with pytest.raises(ValueError):
        encode("a1")


@pytest.mark.parametrize("bad", ["a", "3", "0a", "2a3"])
def test_decode_malformed(bad):
    with pytest.raises(ValueError):
        decode(bad)
