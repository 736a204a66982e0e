"""Greatest common divisor (Euclid) and least common multiple."""


def gcd(a, b):
    a, b = abs(a), abs(b)
    if b == 0:
        return a
    return gcd(a % b, b)


def lcm(a, b):
    if a == 0 or b == 0:
        return 0
    return abs(a * b) // gcd(a, b)
