from decimal import Decimal

import pytest

from moneyx import CurrencyMismatch, Money


def test_quantizes_to_currency():
    assert Money("1.005", "USD").amount == Decimal("1.00")
    assert Money("1.015", "USD").amount == Decimal("1.02")
    assert Money("12.7", "JPY").amount == Decimal("13")


def test_rejects_float():
    with pytest.raises(TypeError):
        Money(0.1, "USD")


def test_add_sub():
    assert Money("1.10", "EUR") + Money("2.20", "EUR") == Money("3.30", "EUR")
    assert Money("1.10", "EUR") - Money("2.20", "EUR") == Money("-1.10", "EUR")


def test_currency_mismatch():
    with pytest.raises(CurrencyMismatch):
        Money("1", "EUR") + Money("1", "USD")


def test_minor_units_roundtrip():
    m = Money("12.345", "BHD")
    assert m.minor_units == 12345
    assert Money.from_minor(12345, "BHD") == m


def test_format():
    assert Money("-1234.5", "USD").format() == "-$1,234.50"
