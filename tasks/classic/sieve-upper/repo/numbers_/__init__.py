from .sieve import primes_up_to

__all__ = ["primes_up_to"]
