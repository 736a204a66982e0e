import pytest

from pager import InvalidPage, Paginator, page_count


def test_basic_pages():
    p = Paginator(list(range(25)), per_page=10)
    assert p.num_pages == 3
    assert p.page(3).items == [20, 21, 22, 23, 24]


def test_indices():
    page = Paginator(list("abcdefg"), per_page=3).page(2)
    assert (page.start_index, page.end_index) == (4, 6)


def test_navigation_flags():
    p = Paginator(list(range(25)), per_page=10)
    assert p.page(1).has_next and not p.page(1).has_previous
    assert not p.page(3).has_next


def test_empty_has_one_page():
    p = Paginator([], per_page=10)
    assert p.num_pages == 1
    assert p.page(1).items == []
    assert p.page(1).start_index == 0


@pytest.mark.parametrize("bad", [0, -1, "x", None, 4])
def test_invalid_pages(bad):
    with pytest.raises(InvalidPage):
        Paginator(list(range(25)), per_page=10).page(bad)


def test_orphans_merge_into_last_page():
    p = Paginator(list(range(21)), per_page=10, orphans=1)
    assert p.num_pages == 2
    assert len(p.page(2).items) == 11


def test_num_pages_exact_multiple():
    p = Paginator(list(range(20)), per_page=10)
    assert p.num_pages == 2
    assert not p.page(2).has_next


def test_page_count():
    assert page_count(21, 10) == 3
    assert page_count(0, 10) == 1
    assert page_count(0, 10, allow_empty_first_page=False) == 0


def test_page_count_exact_multiple():
    assert page_count(30, 10) == 3
