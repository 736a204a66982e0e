"""Order pricing: products, order lines and stackable discounts."""

from .catalog import Catalog, Product
from .discounts import BuyXGetY, FixedOff, PercentOff
from .order import Order, OrderLine

__all__ = ["Product", "Catalog", "Order", "OrderLine", "PercentOff", "BuyXGetY", "FixedOff"]
