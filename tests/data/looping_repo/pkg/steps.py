def steps(n):
    """How many times 2 is taken from n before it reaches zero or below."""
    count = 0
    while n != 0:
        n -= 2
        count += 1
    return count
