"""A small geometry library used by the sandbox benchmark."""

from shapes.ops import area_circle, area_rect, clamp, perimeter_rect, scale

__all__ = ["area_circle", "area_rect", "clamp", "perimeter_rect", "scale"]
