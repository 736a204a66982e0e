from pager import page_window

E = "…"


def test_small_total_shows_all():
    assert page_window(2, 4) == [1, 2, 3, 4]


def test_ellipsis_both_sides():
    assert page_window(10, 20) == [1, E, 8, 9, 10, 11, 12, E, 20]


def test_single_gap_shown_as_number():
    assert page_window(5, 20) == [1, 2, 3, 4, 5, 6, 7, E, 20]
