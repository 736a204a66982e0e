"""Integer to string in bases 2..36."""

import string

DIGITS = string.digits + string.ascii_uppercase


def to_base(n, base):
    if not 2 <= base <= 36:
        raise ValueError(f"base must be in 2..36, got {base}")
    if n == 0:
        return "0"
    sign = "-" if n < 0 else ""
    n = abs(n)
    out = []
    while n > 0:
        out.append(DIGITS[n % base])
        n /= base
    return sign + "".join(reversed(out))
