import pytest

from urlkit import encode_query, parse_query


def test_simple():
    assert encode_query({"a": 1, "b": "x y"}) == "a=1&b=x%20y"


def test_lists_repeat_key():
    assert encode_query({"tag": ["a", "b"]}) == "tag=a&tag=b"


def test_none_and_bool():
    assert encode_query({"a": None, "b": True}) == "b=true"
    assert encode_query({"a": None}, skip_none=False) == "a="


def test_sorted():
    assert encode_query([("b", 2), ("a", 1)], sort=True) == "a=1&b=2"


def test_reserved_characters_encoded():
    assert encode_query({"q": "a&b=c"}) == "q=a%26b%3Dc"


def test_encode_query_escapes_slash():
    assert encode_query({"next": "/account/settings"}) == "next=%2Faccount%2Fsettings"


@pytest.mark.parametrize(
    ("query", "expected"),
    [("a=1&a=2&b=", {"a": ["1", "2"], "b": [""]}), ("?x=%2F+y", {"x": ["/ y"]}), ("", {})],
    ids=["repeated-keys", "escapes-and-plus", "empty"],
)
def test_parse(query, expected):
    assert parse_query(query) == expected
