import math

import pytest
from shapes import area_circle, area_rect, clamp, perimeter_rect, scale


@pytest.mark.parametrize("w,h", [(w, h) for w in range(4) for h in range(3)])
def test_area_rect(w, h):
    assert area_rect(w, h) == w * h


@pytest.mark.parametrize("w,h", [(w, h) for w in range(3) for h in range(4)])
def test_perimeter_rect(w, h):
    assert perimeter_rect(w, h) == 2 * w + 2 * h


@pytest.mark.parametrize("r", range(8))
def test_area_circle(r):
    assert area_circle(r) == pytest.approx(math.pi * r * r)


@pytest.mark.parametrize("factor", range(8))
def test_scale(factor):
    assert scale([1, 2, 3], factor) == [factor, 2 * factor, 3 * factor]


@pytest.mark.parametrize("value", range(-3, 5))
def test_clamp(value):
    assert 0 <= clamp(value, 0, 2) <= 2


def test_negative_side():
    with pytest.raises(ValueError):
        area_rect(-1, 2)


def test_empty_range():
    with pytest.raises(ValueError):
        clamp(1, 3, 2)
