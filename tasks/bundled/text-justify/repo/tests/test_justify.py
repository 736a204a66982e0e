from wraptext import fill, justify


def test_single_word_unchanged():
    assert justify("hello", 10) == "hello"


def test_justify_width():
    assert justify("a b c", 9) == "a   b   c"


def test_justify_extra_spaces_go_left():
    assert justify("aa bb cc", 11) == "aa   bb  cc"


def test_fill_paragraphs():
    text = "one two three\n\nfour five"
    assert fill(text, 8) == "one two\nthree\n\nfour\nfive"
