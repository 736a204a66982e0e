"""Discount rules.  Each rule returns the amount it takes off an order."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .order import Order, OrderLine

CENT = Decimal("0.01")


@dataclass(frozen=True)
class PercentOff:
    """``percent`` % off every line whose product is in ``category`` (case-insensitive)."""

    category: str
    percent: Decimal | int

    def applies_to(self, line: OrderLine) -> bool:
        category = line.product.category
        return category.lower() == self.category.lower()

    def amount(self, order: Order) -> Decimal:
        eligible = sum((l.subtotal for l in order.lines if self.applies_to(l)), Decimal(0))
        return (eligible * Decimal(self.percent) / 100).quantize(CENT)


@dataclass(frozen=True)
class BuyXGetY:
    """For every ``buy`` units of ``sku`` bought, ``free`` further units are free."""

    sku: str
    buy: int
    free: int

    def amount(self, order: Order) -> Decimal:
        total = Decimal(0)
        for line in order.lines:
            if line.product.sku == self.sku:
                groups = line.quantity // (self.buy + self.free)
                total += groups * self.free * line.product.unit_price
        return total


@dataclass(frozen=True)
class FixedOff:
    """``off`` taken off orders whose subtotal is at least ``threshold``."""

    threshold: Decimal
    off: Decimal

    def amount(self, order: Order) -> Decimal:
        return self.off if order.subtotal() >= self.threshold else Decimal(0)
