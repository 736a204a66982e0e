import pytest

from iniconf import ConfigError, parse

TEXT = """
top = level
[server]
Host = example.org
port: 8080
; a comment
# another comment
[paths]
color = #fff
"""


def test_sections_and_keys():
    data = parse(TEXT)
    assert data["DEFAULT"] == {"top": "level"}
    assert data["server"] == {"host": "example.org", "port": "8080"}


def test_hash_without_space_is_not_comment():
    assert parse(TEXT)["paths"]["color"] == "#fff"


def test_inline_comment_stripped():
    data = parse("[a]\nname = value   ; note\n")
    assert data["a"]["name"] == "value"


def test_continuation_lines():
    data = parse("[a]\nitems = one\n  two\n  three\n")
    assert data["a"]["items"] == "one\ntwo\nthree"


def test_missing_separator_reports_line():
    with pytest.raises(ConfigError, match="line 2"):
        parse("[a]\nnonsense\n")
