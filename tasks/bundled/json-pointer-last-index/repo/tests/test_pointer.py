import pytest

from jsonptr import PointerError, escape, parse, resolve, unescape

# The example document from RFC 6901, section 5.
DOC = {"foo": ["bar", "baz"], "": 0, "a/b": 1, "c%d": 2, "e^f": 3, "g|h": 4,
       "i\\j": 5, 'k"l': 6, " ": 7, "m~n": 8}


@pytest.mark.parametrize(
    ("pointer", "expected"),
    [("", DOC), ("/foo", ["bar", "baz"]), ("/foo/0", "bar"), ("/", 0), ("/a~1b", 1),
     ("/m~0n", 8), ("/ ", 7)],
    ids=["root", "member", "first-index", "empty-key", "escaped-slash", "escaped-tilde", "space"],
)
def test_rfc_examples(pointer, expected):
    assert resolve(DOC, pointer) == expected


def test_escape_roundtrip():
    assert unescape(escape("a/~b")) == "a/~b"
    assert unescape("~01") == "~1"


def test_parse_errors():
    with pytest.raises(PointerError):
        parse("foo")
    with pytest.raises(PointerError):
        parse("/a~2")


@pytest.mark.parametrize("pointer", ["/foo/01", "/foo/-", "/foo/x", "/foo/0/x"],
                         ids=["leading-zero", "dash", "not-a-number", "into-string"])
def test_unresolvable(pointer):
    with pytest.raises(PointerError):
        resolve(DOC, pointer)


def test_default():
    assert resolve(DOC, "/nope", default=None) is None


def test_last_index():
    assert resolve(DOC, "/foo/1") == "baz"
