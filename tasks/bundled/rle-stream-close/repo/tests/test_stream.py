import pytest

from rle import StreamEncoder, encode


def test_runs_across_chunks():
    enc = StreamEncoder()
    out = enc.feed("aaab") + enc.feed("bbcc") + enc.close()
    assert out == encode("aaabbbcc")


def test_feed_holds_back_last_run():
    enc = StreamEncoder()
    assert enc.feed("aab") == "2a"


def test_closed_encoder_rejects_input():
    enc = StreamEncoder()
    enc.close()
    with pytest.raises(ValueError):
        enc.feed("x")


def test_close_empty():
    assert StreamEncoder().close() == ""
