"""Orders and their totals."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from .catalog import Product

CENT = Decimal("0.01")
UNCATEGORIZED = "uncategorized"


@dataclass
class OrderLine:
    product: Product
    quantity: int = 1

    @property
    def subtotal(self) -> Decimal:
        return self.product.unit_price * self.quantity


@dataclass
class Order:
    """A list of lines plus the discounts applied to them.

    Discounts are computed on the undiscounted lines and summed; the total
    never goes below zero.  Tax is applied after discounts.
    """

    discounts: list = field(default_factory=list)
    tax_rate: Decimal = Decimal(0)
    lines: list[OrderLine] = field(default_factory=list)

    def add(self, product: Product, quantity: int = 1) -> None:
        if quantity < 1:
            raise ValueError("quantity must be positive")
        for line in self.lines:
            if line.product.sku == product.sku:
                line.quantity += quantity
                return
        self.lines.append(OrderLine(product, quantity))

    def subtotal(self) -> Decimal:
        return sum((line.subtotal for line in self.lines), Decimal(0))

    def discount_total(self) -> Decimal:
        return sum((d.amount(self) for d in self.discounts), Decimal(0))

    def total(self) -> Decimal:
        net = max(Decimal(0), self.subtotal() - self.discount_total())
        return (net * (1 + self.tax_rate)).quantize(CENT, rounding=ROUND_HALF_UP)

    def totals_by_category(self) -> dict[str, Decimal]:
        """Undiscounted subtotal per lower-cased category."""
        totals: dict[str, Decimal] = {}
        for line in self.lines:
            category = line.product.category
            key = category.lower()
            totals[key] = totals.get(key, Decimal(0)) + line.subtotal
        return totals
