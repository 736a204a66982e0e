import pytest

from lexkit import LexError, tokenize


def kinds_values(source):
    return [(t.kind, t.value) for t in tokenize(source)]


def test_simple_expression():
    assert kinds_values("a >= 10.5") == [
        ("NAME", "a"), ("OP", ">="), ("NUMBER", "10.5"), ("EOF", "")]


def test_keywords_and_names():
    assert [t.kind for t in tokenize("if x_1 and not true")][:-1] == [
        "KEYWORD", "NAME", "KEYWORD", "KEYWORD", "KEYWORD"]


def test_comments_and_newlines_collapse():
    assert kinds_values("a # note\n\n\nb") == [
        ("NAME", "a"), ("NEWLINE", "\n"), ("NAME", "b"), ("EOF", "")]


def test_string_escapes():
    assert kinds_values(r'"a\"b\n"')[0] == ("STRING", 'a"b\n')


def test_number_then_dot_method():
    assert kinds_values("1.x")[:3] == [("NUMBER", "1"), ("OP", "."), ("NAME", "x")]


def test_first_line_columns():
    toks = list(tokenize("foo = (1)"))
    assert [(t.value, t.col) for t in toks[:-1]] == [("foo", 1), ("=", 5), ("(", 7), ("1", 8), (")", 9)]


def test_columns_reset_after_newline():
    toks = [t for t in tokenize("x = 1\ny = 2") if t.kind != "NEWLINE"]
    assert [(t.value, t.line, t.col) for t in toks[:-1]] == [
        ("x", 1, 1), ("=", 1, 3), ("1", 1, 5), ("y", 2, 1), ("=", 2, 3), ("2", 2, 5)]


def test_unterminated_string_position():
    with pytest.raises(LexError) as info:
        list(tokenize('a = "oops'))
    assert (info.value.line, info.value.col) == (1, 5)


def test_unexpected_character_after_multiline_string():
    with pytest.raises(LexError) as info:
        list(tokenize('s = "a\nbc" $'))
    assert (info.value.line, info.value.col) == (2, 5)
