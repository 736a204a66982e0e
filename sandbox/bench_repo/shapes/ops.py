"""Geometry operations."""

import math


def area_rect(width, height):
    if width < 0 or height < 0:
        raise ValueError("negative side")
    return width * height


def perimeter_rect(width, height):
    return 2 * (width + height)


def area_circle(radius):
    if radius < 0:
        raise ValueError("negative radius")
    return math.pi * radius ** 2


def scale(values, factor):
    return [v * factor for v in values]


def clamp(value, low, high):
    if low > high:
        raise ValueError("empty range")
    return max(low, min(value, high))
