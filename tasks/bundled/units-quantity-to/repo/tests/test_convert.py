import pytest

from unitconv import IncompatibleUnits, convert


@pytest.mark.parametrize(
    ("value", "src", "dst", "expected"),
    [(5, "km", "m", 5000), (1, "ft", "in", 12), (2, "h", "min", 120), (1, "lb", "g", 453.59237),
     (100, "degC", "degF", 212), (32, "degF", "K", 273.15), (0, "K", "degC", -273.15)],
)
def test_convert(value, src, dst, expected):
    assert convert(value, src, dst) == pytest.approx(expected)


def test_incompatible():
    with pytest.raises(IncompatibleUnits):
        convert(1, "kg", "m")


def test_unknown_unit():
    with pytest.raises(ValueError, match="unknown unit"):
        convert(1, "parsec", "m")
