SIZES = [3, 8, 1, 12, 5]
BIG = [s for s in SIZES if s < 4]


def is_big(n):
    return n in BIG
