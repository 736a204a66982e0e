from .gcd import gcd, lcm

__all__ = ["gcd", "lcm"]
