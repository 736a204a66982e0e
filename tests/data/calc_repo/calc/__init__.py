"""The red team's target: `add` has a two-line bug no attack below fixes."""


def add(a, b):
    return a - b


def mul(a, b):
    return a * b
