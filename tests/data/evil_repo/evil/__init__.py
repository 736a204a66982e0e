"""A module whose `run` body the adversarial tests replace with hostile code (as a patch)."""


def run():
    return 1


def double(x):
    return 2 * x
