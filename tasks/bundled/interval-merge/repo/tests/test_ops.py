from datetime import timedelta

from spans import Interval, gaps, merge, parse_interval, total_length


def test_merge_overlapping():
    assert merge([Interval(4, 8), Interval(1, 5)]) == [Interval(1, 8)]


def test_merge_disjoint_kept_sorted():
    assert merge([Interval(6, 7), Interval(1, 2)]) == [Interval(1, 2), Interval(6, 7)]


def test_merge_touching():
    assert merge([Interval(1, 3), Interval(3, 5)]) == [Interval(1, 5)]


def test_merge_drops_empty():
    assert merge([Interval(2, 2), Interval(3, 4)]) == [Interval(3, 4)]


def test_gaps():
    found = gaps([Interval(2, 3), Interval(5, 6)], within=Interval(0, 10))
    assert found == [Interval(0, 2), Interval(3, 5), Interval(6, 10)]


def test_total_length_counts_overlap_once():
    assert total_length([Interval(0, 4), Interval(2, 6)]) == 6


def test_parse_roundtrip():
    iv = parse_interval("2024-01-01/2024-01-05")
    assert iv.length == timedelta(days=4)
