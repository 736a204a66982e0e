from .primes import is_prime, primes_below

__all__ = ["is_prime", "primes_below"]
