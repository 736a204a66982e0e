import pytest

from unitconv import IncompatibleUnits, Quantity, parse_quantity


def test_parse():
    assert parse_quantity(" 3.5 km ") == Quantity(3.5, "km")
    with pytest.raises(ValueError):
        parse_quantity("three km")


def test_to_same_unit():
    assert Quantity(2, "kg").to("kg") == Quantity(2.0, "kg")


def test_to_other_unit():
    q = Quantity(5, "km").to("m")
    assert q.unit == "m"
    assert q.value == pytest.approx(5000)


def test_add_rejects_temperature():
    with pytest.raises(IncompatibleUnits):
        Quantity(1, "degC") + Quantity(1, "degC")


def test_str():
    assert str(Quantity(1.50, "m") * 2) == "3 m"
