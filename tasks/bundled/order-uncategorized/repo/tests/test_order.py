from decimal import Decimal

import pytest

from pricing import BuyXGetY, Catalog, FixedOff, Order, PercentOff, Product

SHOES = Product("SH-1", "Runner", Decimal("80.00"), category="Shoes")
SOCKS = Product("SO-1", "Socks", Decimal("5.00"), category="Apparel")
CARD = Product("GIFT-25", "Gift card", Decimal("25.00"))


def test_subtotal_merges_lines():
    order = Order()
    order.add(SOCKS, 2)
    order.add(SOCKS)
    assert len(order.lines) == 1
    assert order.subtotal() == Decimal("15.00")


def test_percent_off_category_case_insensitive():
    order = Order(discounts=[PercentOff("shoes", 10)])
    order.add(SHOES)
    order.add(SOCKS)
    assert order.total() == Decimal("77.00")


def test_buy_x_get_y():
    order = Order(discounts=[BuyXGetY("SO-1", buy=2, free=1)])
    order.add(SOCKS, 7)
    assert order.total() == Decimal("25.00")


def test_fixed_off_threshold_and_tax():
    order = Order(discounts=[FixedOff(Decimal("50"), Decimal("10"))], tax_rate=Decimal("0.2"))
    order.add(SHOES)
    assert order.total() == Decimal("84.00")


def test_total_never_negative():
    order = Order(discounts=[FixedOff(Decimal("0"), Decimal("100"))])
    order.add(SOCKS)
    assert order.total() == Decimal("0.00")


def test_invalid_quantity():
    with pytest.raises(ValueError):
        Order().add(SOCKS, 0)


def test_catalog_lookup():
    catalog = Catalog([SHOES, CARD])
    assert catalog.get("GIFT-25") is CARD
    with pytest.raises(KeyError):
        catalog.get("nope")


def test_percent_off_skips_uncategorized():
    order = Order(discounts=[PercentOff("shoes", 10)])
    order.add(CARD)
    order.add(SHOES)
    assert order.total() == Decimal("97.00")


def test_totals_by_category():
    order = Order()
    order.add(SHOES)
    order.add(SOCKS, 2)
    assert order.totals_by_category() == {"shoes": Decimal("80.00"), "apparel": Decimal("10.00")}


def test_totals_by_category_includes_uncategorized():
    order = Order()
    order.add(CARD)
    order.add(SOCKS)
    assert order.totals_by_category() == {"uncategorized": Decimal("25.00"), "apparel": Decimal("5.00")}
