"""Evaluate reverse Polish notation."""

import operator

OPS = {"+": operator.add, "-": operator.sub, "*": operator.mul, "/": operator.truediv}


def evaluate(expression):
    stack = []
    for token in expression.split():
        if token in OPS:
            right = stack.pop()
            left = stack.pop()
            stack.append(OPS[token](right, left))
        else:
            stack.append(float(token))
    if len(stack) != 1:
        raise ValueError(f"malformed expression: {expression!r}")
    return stack[0]
