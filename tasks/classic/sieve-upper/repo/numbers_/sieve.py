"""Sieve of Eratosthenes."""


def primes_up_to(n):
    """All primes p with p <= n."""
    if n < 2:
        return []
    flags = [True] * (n + 1)
    flags[0] = flags[1] = False
    p = 2
    while p * p <= n:
        if flags[p]:
            for multiple in range(p * p, n, p):
                flags[multiple] = False
        p += 1
    return [i for i, is_p in enumerate(flags) if is_p]
